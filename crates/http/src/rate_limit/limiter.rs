//! [`RateLimits`]: one keyed GCRA limiter per [`Group`], and the sweeper that keeps them small.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use governor::RateLimiter;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;

use super::store::{BoundedStore, ClientKey};
use super::{Budget, Group};

/// The budgets of every group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `POST /v1/sessions`.
    pub sign_in: Budget,
    /// `POST /v1/users`, `POST /v1/users/verify-email`.
    pub registration: Budget,
    /// Password resets, their confirmation, unlock links.
    pub recovery: Budget,
    /// Most clients tracked per group; beyond it newcomers share one budget until a sweep.
    pub max_clients: usize,
}

impl RateLimitConfig {
    fn budget(&self, group: Group) -> Budget {
        match group {
            Group::SignIn => self.sign_in,
            Group::Registration => self.registration,
            Group::Recovery => self.recovery,
        }
    }
}

type Limiter<C> = RateLimiter<ClientKey, BoundedStore, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The per-IP limiters of every group. Cheap to check: one hash-map entry and an atomic update.
#[derive(Debug)]
pub struct RateLimits<C: Clock = DefaultClock> {
    limiters: [Limiter<C>; 3],
}

impl RateLimits {
    /// Limiters with `config`'s budgets on the monotonic clock.
    pub fn new(config: &RateLimitConfig) -> RateLimits {
        RateLimits::with_clock(config, &DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimits<C> {
    /// Limiters on `clock` (tests pass a fake one).
    pub fn with_clock(config: &RateLimitConfig, clock: &C) -> RateLimits<C> {
        let limiter =
            |g: Group| RateLimiter::new(config.budget(g).quota(), BoundedStore::new(config.max_clients), clock.clone());
        RateLimits { limiters: Group::ALL.map(limiter) }
    }

    /// Counts one request of `ip` against `group`'s budget; when it is spent, how long until
    /// the next request would be allowed.
    pub fn check(&self, group: Group, ip: IpAddr) -> Result<(), Duration> {
        let limiter = &self.limiters[group.index()];
        limiter.check_key(&ClientKey::from(ip)).map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// Forgets clients whose budget is full again (they are indistinguishable from newcomers)
    /// and releases the memory; returns how many clients are still tracked in all groups.
    pub fn sweep(&self) -> usize {
        self.limiters
            .iter()
            .map(|l| {
                l.retain_recent();
                l.shrink_to_fit();
                l.len()
            })
            .sum()
    }

    /// How many clients `group` tracks now.
    pub fn tracked(&self, group: Group) -> usize {
        self.limiters[group.index()].len()
    }
}

/// Sweeps `limits` every `every` (the server spawns this and aborts it at shutdown); publishes
/// the number of tracked clients as `okpay_rate_limit_clients`.
pub async fn sweep_periodically(limits: Arc<RateLimits>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let tracked = limits.sweep();
        metrics::gauge!("okpay_rate_limit_clients").set(tracked as f64);
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use governor::clock::FakeRelativeClock;

    use super::*;

    fn config(max_clients: usize) -> RateLimitConfig {
        let b = |s: &str| s.parse::<Budget>().unwrap_or_else(|e| panic!("{e}"));
        RateLimitConfig {
            sign_in: b("3/m burst 2"),
            registration: b("1/h burst 1"),
            recovery: b("1/h burst 1"),
            max_clients,
        }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, last))
    }

    #[test]
    fn a_spent_budget_says_when_to_come_back() {
        let clock = FakeRelativeClock::default();
        let limits = RateLimits::with_clock(&config(100), &clock);
        assert_eq!(limits.check(Group::SignIn, ip(1)), Ok(()));
        assert_eq!(limits.check(Group::SignIn, ip(1)), Ok(()));
        assert_eq!(limits.check(Group::SignIn, ip(1)), Err(Duration::from_secs(20)));
        // Other clients and other groups are unaffected.
        assert_eq!(limits.check(Group::SignIn, ip(2)), Ok(()));
        assert_eq!(limits.check(Group::Registration, ip(1)), Ok(()));
        clock.advance(Duration::from_secs(15));
        assert_eq!(limits.check(Group::SignIn, ip(1)), Err(Duration::from_secs(5)));
        clock.advance(Duration::from_secs(5));
        assert_eq!(limits.check(Group::SignIn, ip(1)), Ok(()));
    }

    #[test]
    fn sweeping_forgets_idle_clients() {
        let clock = FakeRelativeClock::default();
        let limits = RateLimits::with_clock(&config(100), &clock);
        for last in 0..50 {
            assert_eq!(limits.check(Group::SignIn, ip(last)), Ok(()));
        }
        assert_eq!(limits.sweep(), 50, "budgets still partly spent");
        // Governor forgets a client one replenish interval (20 s) after its budget is full.
        clock.advance(Duration::from_secs(40));
        assert_eq!(limits.sweep(), 0, "everyone's budget is full again");
        assert_eq!(limits.tracked(Group::SignIn), 0);
    }

    #[test]
    fn a_full_map_makes_newcomers_share_one_budget() {
        let clock = FakeRelativeClock::default();
        let limits = RateLimits::with_clock(&config(2), &clock);
        assert_eq!(limits.check(Group::Registration, ip(1)), Ok(()));
        assert_eq!(limits.check(Group::Registration, ip(2)), Ok(()));
        // Full: ip 3 and ip 4 share the overflow budget (burst 1).
        assert_eq!(limits.check(Group::Registration, ip(3)), Ok(()));
        assert!(limits.check(Group::Registration, ip(4)).is_err());
        assert_eq!(limits.tracked(Group::Registration), 3, "two clients and the overflow key, no more");
        // Known clients keep their own budget.
        assert!(limits.check(Group::Registration, ip(1)).is_err());
        clock.advance(Duration::from_secs(2 * 3600));
        assert_eq!(limits.sweep(), 0);
        assert_eq!(limits.check(Group::Registration, ip(4)), Ok(()));
    }
}
