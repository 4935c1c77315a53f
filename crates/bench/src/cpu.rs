//! Where the CPU went during a measurement, from `/proc` (Linux only; elsewhere the figures are
//! left out).
//!
//! With 2 cores, the load generator, the server and the database compete for the same CPU;
//! these figures say how much each took, which is what usually limits throughput here.

use serde::Serialize;

/// Clock ticks per second in `/proc/stat` and `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux for
/// every architecture that matters; reading it needs `sysconf`, i.e. unsafe code).
const TICKS_PER_SEC: f64 = 100.0;

/// CPU counters at one instant.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    machine_busy: u64,
    machine_total: u64,
    this_process: Option<u64>,
    server: Option<u64>,
}

/// CPU use between two samples, in cores (1.0 = one core fully busy).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Usage {
    /// Cores the whole machine kept busy.
    pub machine_cores: f64,
    /// Share of the machine's capacity in use, percent.
    pub machine_busy_pct: f64,
    /// Cores this benchmark process used (load generator, and the ledger writer in the engine test).
    pub bench_cores: Option<f64>,
    /// Cores the `okpay serve` process used.
    pub server_cores: Option<f64>,
    /// Everything else: mostly the PostgreSQL server's backends, and SQLite's kernel work.
    pub other_cores: Option<f64>,
}

/// Reads the counters now; `server` is the `okpay serve` process, if one runs.
pub fn sample(server: Option<u32>) -> Option<Sample> {
    let (machine_busy, machine_total) = machine_ticks(&std::fs::read_to_string("/proc/stat").ok()?)?;
    let process = |path: String| std::fs::read_to_string(path).ok().and_then(|s| process_ticks(&s));
    Some(Sample {
        machine_busy,
        machine_total,
        this_process: process("/proc/self/stat".to_owned()),
        server: server.and_then(|pid| process(format!("/proc/{pid}/stat"))),
    })
}

/// CPU use from `before` to `after` over `elapsed_secs` on a machine with `cores` cores.
pub fn usage(before: Sample, after: Sample, elapsed_secs: f64, cores: usize) -> Option<Usage> {
    let total = after.machine_total.checked_sub(before.machine_total).filter(|t| *t > 0)? as f64;
    let busy = after.machine_busy.saturating_sub(before.machine_busy) as f64;
    let machine_cores = busy / total * cores as f64;
    let cores_of = |a: Option<u64>, b: Option<u64>| {
        Some(a?.saturating_sub(b?) as f64 / TICKS_PER_SEC / elapsed_secs.max(f64::EPSILON))
    };
    let bench_cores = cores_of(after.this_process, before.this_process);
    let server_cores = cores_of(after.server, before.server);
    let other_cores = bench_cores.map(|b| (machine_cores - b - server_cores.unwrap_or(0.0)).max(0.0));
    Some(Usage { machine_cores, machine_busy_pct: busy / total * 100.0, bench_cores, server_cores, other_cores })
}

/// `(busy, total)` ticks from `/proc/stat`'s aggregate `cpu` line; idle and iowait are not busy.
fn machine_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line.split_whitespace().skip(1).map_while(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user/nice]
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// utime + stime of a `/proc/<pid>/stat` line. The command name (field 2) may hold spaces and
/// parentheses, so fields are counted from the last `)`.
fn process_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_stat() {
        let stat = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n";
        assert_eq!(machine_ticks(stat), Some((150, 1000)));
        let pid = "1234 (okpay (serve)) S 1 1234 1234 0 -1 4194560 500 0 0 0 70 30 0 0 20 0 9 0 100 1 1";
        assert_eq!(process_ticks(pid), Some(100));
    }
}
