//! The real `okpay serve` as a child process, configured the way an operator would run it
//! for a load test (`OKPAY_RATE_LIMIT=off`, limits raised, `RUST_LOG=warn`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

use okpay_mail::testing::SmtpSink;

use crate::api::Api;

/// Kept by the SMTP relay: the verification mail's link (the raw message, so before any
/// quoted-printable decoding; the path itself has no character that encoding changes).
const VERIFY_MARKER: &[u8] = b"/verify-email";
/// How long the server may take to migrate and answer `/healthz`.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a graceful shutdown (drain in-flight requests and the ledger queue) may take.
const STOP_TIMEOUT: Duration = Duration::from_secs(40);

/// A running `okpay serve`.
pub struct OkpayServer {
    child: Child,
    pid: u32,
    /// Its working directory; removed with the server.
    _cwd: tempfile::TempDir,
}

/// The `okpay` binary: `explicit` if given, else the one next to this binary (both are built
/// into the same target directory by `scripts/bench`).
pub fn locate_okpay(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let me = std::env::current_exe().context("locating this binary")?;
            me.with_file_name(format!("okpay{}", std::env::consts::EXE_SUFFIX))
        }
    };
    if !path.is_file() {
        bail!(
            "no okpay binary at {}: build it with `cargo build --release -p okpay` (scripts/bench does) \
             or pass --okpay-bin",
            path.display()
        );
    }
    // The server runs in a temporary working directory, so a relative path would not resolve.
    std::fs::canonicalize(&path).with_context(|| format!("resolving {}", path.display()))
}

impl OkpayServer {
    /// Starts `bin serve` on `database_url` and a free local port; returns once `/healthz`
    /// answers, with a client for it.
    pub async fn start(bin: &Path, database_url: &str, pool: usize) -> anyhow::Result<(OkpayServer, Api)> {
        let port = free_port()?;
        let cwd = tempfile::tempdir().context("creating the server's working directory")?;
        // Keeps the verification mail the set-up reads and counts the rest (notices).
        let smtp = SmtpSink::start_keeping(|raw| raw.windows(VERIFY_MARKER.len()).any(|w| w == VERIFY_MARKER))
            .context("starting the SMTP relay")?;
        let child = Command::new(bin)
            .arg("serve")
            .current_dir(cwd.path())
            .env("OKPAY_DATA_DIR", cwd.path())
            .env("OKPAY_SMTP_URL", smtp.url())
            .env("OKPAY_DATABASE_URL", database_url)
            .env("OKPAY_LISTEN", format!("127.0.0.1:{port}"))
            .env("OKPAY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("OKPAY_RATE_LIMIT", "off")
            // One user sends thousands of transfers a second: far past a person's daily limit.
            .env("OKPAY_DAILY_LIMIT_USD", "100000000000000")
            // Merchant payments carry OKPay's fee, as they would in production: one more leg.
            .env("OKPAY_MERCHANT_FEE_BPS", "290")
            // Its log (warnings and errors only) is written to stdout: shown with the
            // benchmark's own output, so a failed request's cause is there to read.
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} serve", bin.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let inbox = smtp.inbox.clone();
        // The relay's threads outlive the server; an idle relay costs nothing.
        let mut server = OkpayServer { child, pid, _cwd: cwd };
        let api = Api::new(format!("http://127.0.0.1:{port}"), pool)?.with_inbox(inbox);
        let deadline = Instant::now() + START_TIMEOUT;
        while !api.healthy().await {
            if let Some(status) = server.child.try_wait()? {
                bail!("okpay serve exited with {status} before it was healthy (its log is above)");
            }
            if Instant::now() > deadline {
                bail!("okpay serve was not healthy within {} s", START_TIMEOUT.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok((server, api))
    }

    /// The server's process id (for CPU accounting).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// SIGTERM, then waits for the graceful shutdown; fails if it does not exit cleanly.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        // `kill` the command, not libc: the workspace forbids unsafe code.
        let sent = Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status().await?;
        if !sent.success() {
            bail!("could not send SIGTERM to okpay serve ({})", self.pid);
        }
        let status = tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await.map_err(|_| {
            anyhow::anyhow!("okpay serve did not stop within {} s of SIGTERM", STOP_TIMEOUT.as_secs())
        })??;
        if !status.success() {
            bail!("okpay serve exited with {status} after SIGTERM");
        }
        Ok(())
    }
}

/// A port nobody listens on right now (the kernel picks it; the race is harmless here).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
