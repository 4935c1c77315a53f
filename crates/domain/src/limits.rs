//! Limits on money movement, by identity-verification level, currency and period (API.md §7).
//!
//! Each of deposits, outgoing payments (transfers and wallet payments) and withdrawals has its
//! own daily and monthly budget per currency. Level 0 (no approved identity document) gets the
//! configured base, which by default is the contract's floor: 2,000.00 usd/eur, 15,000.00 cny,
//! 300,000 jpy a day. An approved document (level 1 or more) multiplies every limit by the
//! verified factor (at least 10, as the contract demands). A month allows the monthly factor
//! times the daily limit. Periods are calendar days and months in UTC: a limit "resets" at the
//! next 00:00 UTC, or the first of the next month.
//!
//! This module is pure: the caller supplies what was already used in each period.

use time::{Date, Month, OffsetDateTime};

use crate::Currency;
use crate::time::to_us;

/// The contract's minimum for how much an approved identity document raises every limit.
pub const MIN_VERIFIED_FACTOR: i64 = 10;

/// The highest level with its own limits; higher levels get these.
pub const MAX_LEVEL: i64 = 1;

/// The level-0 limit per day in `currency` the contract sets as a floor, minor units.
pub fn base_daily_minor(currency: Currency) -> i64 {
    match currency {
        Currency::Usd | Currency::Eur => 200_000,
        Currency::Cny => 1_500_000,
        Currency::Jpy => 300_000,
    }
}

/// A kind of movement with its own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Movement {
    /// Money coming in from a card or bank account.
    Deposit,
    /// Money leaving the wallet for another OKPay user or a merchant.
    Transfer,
    /// Money leaving OKPay for a bank account or card.
    Withdrawal,
}

impl Movement {
    /// Name used in errors (`daily_transfer`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Deposit => "deposit",
            Movement::Transfer => "transfer",
            Movement::Withdrawal => "withdrawal",
        }
    }

    /// The history row kinds whose amounts count against this movement's limits.
    pub fn history_kinds(self) -> &'static [&'static str] {
        match self {
            Movement::Deposit => &["deposit"],
            Movement::Transfer => &["transfer_out", "payment"],
            Movement::Withdrawal => &["withdrawal"],
        }
    }
}

/// A limit's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A calendar day, UTC.
    Day,
    /// A calendar month, UTC.
    Month,
}

impl Period {
    /// `day` or `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Month => "month",
        }
    }

    /// `daily` or `monthly`.
    pub fn adjective(self) -> &'static str {
        match self {
            Period::Day => "daily",
            Period::Month => "monthly",
        }
    }

    /// The start of the period containing `now_us` and the start of the next one (when the
    /// limit resets), µs since the epoch.
    pub fn bounds(self, now_us: i64) -> (i64, i64) {
        let secs = now_us.div_euclid(1_000_000);
        let today = OffsetDateTime::from_unix_timestamp(secs).map_or(Date::MIN, OffsetDateTime::date);
        let (start, next) = match self {
            Period::Day => (today, today.next_day().unwrap_or(Date::MAX)),
            Period::Month => {
                let first = today.replace_day(1).unwrap_or(today);
                let next = match first.month() {
                    Month::December => Date::from_calendar_date(first.year() + 1, Month::January, 1),
                    m => Date::from_calendar_date(first.year(), m.next(), 1),
                };
                (first, next.unwrap_or(Date::MAX))
            }
        };
        (to_us(start.midnight().assume_utc()), to_us(next.midnight().assume_utc()))
    }
}

/// A user's limits for one movement in one currency, minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Per calendar day.
    pub daily_minor: i64,
    /// Per calendar month.
    pub monthly_minor: i64,
}

/// What a movement already used in the current day and month, minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Since 00:00 UTC today.
    pub day_minor: i64,
    /// Since the first of this month, 00:00 UTC.
    pub month_minor: i64,
}

/// A movement that would go over a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breach {
    /// The movement.
    pub movement: Movement,
    /// The period whose limit it would break.
    pub period: Period,
    /// The currency.
    pub currency: Currency,
    /// The limit, minor units.
    pub limit_minor: i64,
    /// Already used in the period, minor units.
    pub used_minor: i64,
    /// When the period ends and the limit resets, µs since the epoch.
    pub resets_at_us: i64,
}

impl Breach {
    /// What may still be moved in the period, minor units (never negative).
    pub fn remaining_minor(&self) -> i64 {
        self.limit_minor.saturating_sub(self.used_minor).max(0)
    }

    /// The limit's name, e.g. `daily_transfer`.
    pub fn name(&self) -> String {
        format!("{}_{}", self.period.adjective(), self.movement.as_str())
    }
}

/// The configured limits: the level-0 daily base per currency and the factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPolicy {
    daily_base_minor: [i64; 4],
    verified_factor: i64,
    monthly_factor: i64,
}

impl Default for LimitPolicy {
    fn default() -> Self {
        LimitPolicy {
            daily_base_minor: Currency::ALL.map(base_daily_minor),
            verified_factor: MIN_VERIFIED_FACTOR,
            monthly_factor: 10,
        }
    }
}

/// Why a limit configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A base limit is zero or negative.
    #[error("the daily limit for {0} must be positive")]
    NonPositiveBase(&'static str),
    /// The verified factor is below the contract's tenfold.
    #[error("verified_limit_factor must be at least {MIN_VERIFIED_FACTOR}")]
    VerifiedFactorTooSmall,
    /// The monthly factor is below 1.
    #[error("monthly_limit_factor must be at least 1")]
    MonthlyFactorTooSmall,
}

impl LimitPolicy {
    /// A policy with the given level-0 daily base per currency (the others keep the default),
    /// verified factor and monthly factor.
    pub fn new(
        daily_base_minor: &[(Currency, i64)],
        verified_factor: i64,
        monthly_factor: i64,
    ) -> Result<Self, PolicyError> {
        let mut policy = LimitPolicy::default();
        for &(currency, minor) in daily_base_minor {
            if minor <= 0 {
                return Err(PolicyError::NonPositiveBase(currency.code()));
            }
            policy.daily_base_minor[index(currency)] = minor;
        }
        if verified_factor < MIN_VERIFIED_FACTOR {
            return Err(PolicyError::VerifiedFactorTooSmall);
        }
        if monthly_factor < 1 {
            return Err(PolicyError::MonthlyFactorTooSmall);
        }
        policy.verified_factor = verified_factor;
        policy.monthly_factor = monthly_factor;
        Ok(policy)
    }

    /// How much an approved identity document multiplies every limit.
    pub fn verified_factor(&self) -> i64 {
        self.verified_factor
    }

    /// The limits of a user at `kyc_level` in `currency` (the same for each movement). Levels
    /// below 0 count as 0, above [`MAX_LEVEL`] as [`MAX_LEVEL`]. Saturating: a huge
    /// configuration means "no practical limit", never an overflow.
    pub fn limits(&self, kyc_level: i64, currency: Currency) -> Limits {
        let base = self.daily_base_minor[index(currency)];
        let daily = if kyc_level.clamp(0, MAX_LEVEL) >= 1 { base.saturating_mul(self.verified_factor) } else { base };
        Limits { daily_minor: daily, monthly_minor: daily.saturating_mul(self.monthly_factor) }
    }

    /// Checks that moving `amount_minor` more, after `usage`, stays within the limits of a
    /// user at `kyc_level`; the day is checked before the month.
    pub fn check(
        &self,
        kyc_level: i64,
        movement: Movement,
        currency: Currency,
        usage: Usage,
        amount_minor: i64,
        now_us: i64,
    ) -> Result<(), Breach> {
        let limits = self.limits(kyc_level, currency);
        let periods = [
            (Period::Day, usage.day_minor, limits.daily_minor),
            (Period::Month, usage.month_minor, limits.monthly_minor),
        ];
        for (period, used, limit) in periods {
            let within = used.checked_add(amount_minor).is_some_and(|total| total <= limit);
            if !within {
                let (_, resets_at_us) = period.bounds(now_us);
                return Err(Breach { movement, period, currency, limit_minor: limit, used_minor: used, resets_at_us });
            }
        }
        Ok(())
    }
}

fn index(currency: Currency) -> usize {
    match currency {
        Currency::Usd => 0,
        Currency::Eur => 1,
        Currency::Cny => 2,
        Currency::Jpy => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{DayEdge, parse_filter_time};

    fn at(s: &str) -> i64 {
        parse_filter_time(s, DayEdge::Start).expect("time")
    }

    #[test]
    fn level_zero_meets_the_contract_floor() {
        let p = LimitPolicy::default();
        let floor =
            [(Currency::Usd, 200_000), (Currency::Eur, 200_000), (Currency::Cny, 1_500_000), (Currency::Jpy, 300_000)];
        for (c, min) in floor {
            let l = p.limits(0, c);
            assert!(l.daily_minor >= min, "{c:?}");
            assert_eq!(l.monthly_minor, l.daily_minor * 10);
        }
        assert_eq!(p.limits(-3, Currency::Usd), p.limits(0, Currency::Usd));
    }

    #[test]
    fn approved_documents_raise_every_limit_tenfold() {
        let p = LimitPolicy::default();
        for c in Currency::ALL {
            assert_eq!(p.limits(1, c).daily_minor, p.limits(0, c).daily_minor * 10);
            assert_eq!(p.limits(7, c), p.limits(1, c));
        }
        assert_eq!(p.limits(1, Currency::Jpy).daily_minor, 3_000_000);
    }

    #[test]
    fn configuration_is_validated() {
        assert_eq!(LimitPolicy::new(&[(Currency::Usd, 0)], 10, 10), Err(PolicyError::NonPositiveBase("usd")));
        assert_eq!(LimitPolicy::new(&[], 9, 10), Err(PolicyError::VerifiedFactorTooSmall));
        assert_eq!(LimitPolicy::new(&[], 10, 0), Err(PolicyError::MonthlyFactorTooSmall));
        let p = LimitPolicy::new(&[(Currency::Eur, 5_000)], 20, 3).expect("valid");
        assert_eq!(p.limits(0, Currency::Eur), Limits { daily_minor: 5_000, monthly_minor: 15_000 });
        assert_eq!(p.limits(1, Currency::Eur).daily_minor, 100_000);
        assert_eq!(p.limits(0, Currency::Usd).daily_minor, 200_000, "others keep the default");
        let huge = LimitPolicy::new(&[(Currency::Usd, i64::MAX)], 10, 10).expect("valid");
        assert_eq!(huge.limits(1, Currency::Usd).monthly_minor, i64::MAX);
    }

    #[test]
    fn check_names_the_period_and_when_it_resets() {
        let p = LimitPolicy::default();
        let now = at("2026-11-28T10:00:00Z");
        let used = Usage { day_minor: 150_000, month_minor: 150_000 };
        assert_eq!(p.check(0, Movement::Transfer, Currency::Usd, used, 50_000, now), Ok(()));
        let b = p.check(0, Movement::Transfer, Currency::Usd, used, 50_001, now).expect_err("over");
        assert_eq!(
            (b.period, b.limit_minor, b.used_minor, b.remaining_minor()),
            (Period::Day, 200_000, 150_000, 50_000)
        );
        assert_eq!(b.resets_at_us, at("2026-11-29"));
        assert_eq!(b.name(), "daily_transfer");
        let month = Usage { day_minor: 0, month_minor: 1_990_000 };
        let b = p.check(0, Movement::Deposit, Currency::Usd, month, 20_000, now).expect_err("month");
        assert_eq!((b.period, b.resets_at_us), (Period::Month, at("2026-12-01")));
        assert_eq!(b.name(), "monthly_deposit");
        let overflow = Usage { day_minor: i64::MAX, month_minor: 0 };
        assert!(p.check(1, Movement::Withdrawal, Currency::Usd, overflow, 1, now).is_err());
    }

    #[test]
    fn periods_follow_the_utc_calendar() {
        assert_eq!(Period::Month.bounds(at("2026-12-31T23:59:59Z")), (at("2026-12-01"), at("2027-01-01")));
        assert_eq!(Period::Day.bounds(at("2026-02-28T00:00:00Z")), (at("2026-02-28"), at("2026-03-01")));
        assert_eq!(Period::Month.bounds(at("2028-02-10T00:00:00Z")).1, at("2028-03-01"));
    }
}
