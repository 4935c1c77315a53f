//! A per-IP request budget as written in the configuration: `"<count>/<period>[ burst <n>]"`.
//!
//! `"3/m burst 10"` lets one client send 10 requests at once, then 3 a minute (one every
//! 20 s) for as long as it keeps going; `"20/h"` is 20 an hour with a burst of 20. The period
//! is `s`, `m` or `h`, optionally with a number in front (`"5/15m"`).

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use governor::Quota;

/// How many requests one client may send: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests replenished per `period`.
    pub count: NonZeroU32,
    /// The period `count` is replenished over.
    pub period: Duration,
    /// Requests a client may send at once before the sustained rate applies.
    pub burst: NonZeroU32,
}

/// Why a budget string was refused; the message says what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected e.g. \"3/m burst 10\" or \"20/h\" ({0}); got {1:?}")]
pub struct BudgetError(&'static str, String);

impl Budget {
    /// The governor quota: one request replenished every `period / count`, up to `burst`.
    pub fn quota(&self) -> Quota {
        let interval = (self.period / self.count.get()).max(Duration::from_nanos(1));
        // `interval` is at least 1 ns, the one case `with_period` refuses.
        Quota::with_period(interval).unwrap_or_else(|| Quota::per_hour(self.count)).allow_burst(self.burst)
    }
}

impl FromStr for Budget {
    type Err = BudgetError;

    fn from_str(s: &str) -> Result<Budget, BudgetError> {
        let err = |why| BudgetError(why, s.to_owned());
        let mut words = s.split_whitespace();
        let rate = words.next().ok_or_else(|| err("empty"))?;
        let (count, period) = rate.split_once('/').ok_or_else(|| err("no '/' between count and period"))?;
        let count = positive(count).ok_or_else(|| err("the count must be a whole number of at least 1"))?;
        let period = parse_period(period).ok_or_else(|| err("the period must be s, m or h, e.g. 15m"))?;
        let burst = match (words.next(), words.next()) {
            (None, _) => count,
            (Some("burst"), Some(n)) => {
                positive(n).ok_or_else(|| err("the burst must be a whole number of at least 1"))?
            }
            _ => return Err(err("only \"burst <n>\" may follow the rate")),
        };
        if words.next().is_some() {
            return Err(err("unexpected text after the burst"));
        }
        Ok(Budget { count, period, burst })
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.period.as_secs();
        let period = match secs {
            3600 => "h".to_owned(),
            60 => "m".to_owned(),
            1 => "s".to_owned(),
            s if s % 3600 == 0 => format!("{}h", s / 3600),
            s if s % 60 == 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        };
        write!(f, "{}/{period}", self.count)?;
        if self.burst != self.count {
            write!(f, " burst {}", self.burst)?;
        }
        Ok(())
    }
}

fn positive(s: &str) -> Option<NonZeroU32> {
    s.trim().parse::<u32>().ok().and_then(NonZeroU32::new)
}

fn parse_period(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = if n.is_empty() { 1 } else { n.parse().ok()? };
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return None,
    };
    let secs = n.checked_mul(unit_secs).filter(|s| *s > 0)?;
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(s: &str) -> Budget {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
    }

    #[test]
    fn parses_rates_and_bursts() {
        assert_eq!(budget("3/m burst 10"), Budget { count: nz(3), period: Duration::from_secs(60), burst: nz(10) });
        assert_eq!(budget("20/h"), Budget { count: nz(20), period: Duration::from_secs(3600), burst: nz(20) });
        assert_eq!(budget(" 5/15m  burst 7 ").period, Duration::from_secs(900));
        assert_eq!(budget("1/30s").period, Duration::from_secs(30));
        assert_eq!(budget("2/1h burst 1").burst, nz(1));
    }

    #[test]
    fn refuses_nonsense_with_a_reason() {
        for bad in [
            "",
            "10",
            "0/m",
            "-1/m",
            "3/day",
            "3/0m",
            "3/m burst",
            "3/m burst 0",
            "3/m bursts 4",
            "3/m burst 4 5",
            "x/m",
        ] {
            let e = bad.parse::<Budget>().expect_err(bad);
            assert!(e.to_string().contains("3/m burst 10"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in ["3/m burst 10", "20/h", "5/15m burst 7", "1/30s", "4/2h", "9/s burst 1"] {
            assert_eq!(budget(s).to_string(), s);
            assert_eq!(budget(&budget(s).to_string()), budget(s));
        }
    }

    #[test]
    fn quota_spreads_the_count_over_the_period() {
        let q = budget("3/m burst 10").quota();
        assert_eq!(q.replenish_interval(), Duration::from_secs(20));
        assert_eq!(q.burst_size(), nz(10));
        assert_eq!(budget("20/h").quota().replenish_interval(), Duration::from_secs(180));
    }
}
