//! The real `okpay` binary as a child process, for crash and scale-out tests.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Api;

/// A running `okpay serve` process.
pub struct Proc {
    child: Child,
    pub api: Api,
    _data: tempfile::TempDir,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("addr").port()
}

impl Proc {
    /// Starts `okpay serve` on `db_url`, with an SMTP server of its own, and waits until
    /// `/healthz` answers.
    pub async fn spawn(db_url: &str) -> Proc {
        Proc::spawn_with_smtp(db_url, &okpay_mail::testing::SmtpSink::start().expect("SMTP sink")).await
    }

    /// Starts `okpay serve` on `db_url` sending mail through `sink`. Processes sharing a
    /// database share its mail outbox, so any of them may deliver a mail another queued: give
    /// them one SMTP server, as production gives them one relay.
    pub async fn spawn_with_smtp(db_url: &str, sink: &okpay_mail::testing::SmtpSink) -> Proc {
        let port = free_port();
        let data = tempfile::tempdir().expect("data dir");
        let child = Command::new(env!("CARGO_BIN_EXE_okpay"))
            .arg("serve")
            .env("OKPAY_DATA_DIR", data.path())
            .env("OKPAY_SMTP_URL", sink.url())
            .env("OKPAY_DATABASE_URL", db_url)
            .env("OKPAY_LISTEN", format!("127.0.0.1:{port}"))
            .env("OKPAY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("OKPAY_RATE_LIMIT", "off")
            // These tests move more than a default day's limit through one account; the
            // limits themselves are tested in limits.rs.
            .env("OKPAY_DAILY_LIMIT_USD", "100000000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn okpay");
        let api = Api::with_inbox(format!("http://127.0.0.1:{port}"), sink.inbox.clone());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = api.client.get(format!("{}/healthz", api.base)).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "okpay did not become healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Proc { child, api, _data: data }
    }

    /// `kill -9`: no shutdown, no flush, nothing.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait for a clean exit; returns whether it exited successfully.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id();
        // `kill` the command, not libc: the workspace forbids unsafe code.
        let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
