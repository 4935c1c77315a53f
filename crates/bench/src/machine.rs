//! Facts about the machine and the code measured, printed with every result: figures from
//! different machines or commits must not be compared unawares.

use serde::Serialize;
use tokio::process::Command;

/// The machine and the build.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// When the run started, RFC 3339 UTC.
    pub date: String,
    /// CPUs available to this process.
    pub nproc: usize,
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: Option<String>,
    /// Total memory, GiB.
    pub memory_gib: Option<f64>,
    /// `uname -r`.
    pub kernel: Option<String>,
    /// `PRETTY_NAME` from `/etc/os-release`.
    pub os: Option<String>,
    /// The commit measured (`git rev-parse --short HEAD`, `-dirty` if the tree has changes).
    pub commit: Option<String>,
    /// Whether this binary was built with optimisations.
    pub release_build: bool,
}

/// Gathers the facts; anything unreadable is left out.
pub async fn facts() -> Machine {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    Machine {
        date: okpay_domain::time::rfc3339(okpay_domain::time::now_us()),
        nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model: read("/proc/cpuinfo").and_then(|s| field(&s, "model name", ':')),
        memory_gib: read("/proc/meminfo").and_then(|s| field(&s, "MemTotal", ':')).and_then(|v| {
            let kib: f64 = v.trim_end_matches("kB").trim().parse().ok()?;
            Some((kib / 1024.0 / 1024.0 * 10.0).round() / 10.0)
        }),
        kernel: read("/proc/sys/kernel/osrelease").map(|s| s.trim().to_owned()),
        os: read("/etc/os-release").and_then(|s| field(&s, "PRETTY_NAME", '=')).map(|s| s.trim_matches('"').to_owned()),
        commit: commit().await,
        release_build: !cfg!(debug_assertions),
    }
}

/// The value of the first `key<sep>value` line.
fn field(text: &str, key: &str, sep: char) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(sep)?;
        (k.trim() == key).then(|| v.trim().to_owned())
    })
}

async fn commit() -> Option<String> {
    let git = |args: &'static [&'static str]| async move {
        let out = Command::new("git").args(args).output().await.ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "--short", "HEAD"]).await?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).await.is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{head}-dirty") } else { head })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_value_lines() {
        let cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(field(cpuinfo, "model name", ':').as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(field("PRETTY_NAME=\"Debian\"\n", "PRETTY_NAME", '=').as_deref(), Some("\"Debian\""));
        assert_eq!(field("", "x", ':'), None);
    }
}
