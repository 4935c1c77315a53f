//! Per-day limits on money movement, by identity-verification level and currency (API.md §7).
//!
//! Level 0 (no approved identity document) gets the contract's floor: 2,000.00 usd/eur,
//! 15,000.00 cny, 300,000 jpy a day for each of deposits, outgoing transfers and withdrawals.
//! An approved document (level 1 or more) multiplies them by [`VERIFIED_FACTOR`]. Enforcing
//! them on money movement is a separate step; this module only says what they are.

use crate::Currency;

/// How much an approved identity document raises every limit (API.md: at least tenfold).
pub const VERIFIED_FACTOR: i64 = 10;

/// The highest level with its own limits; higher levels get these.
pub const MAX_LEVEL: i64 = 1;

/// What a user may move per day in one currency, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyLimits {
    /// The currency.
    pub currency: Currency,
    /// Deposits per day.
    pub deposit_minor: i64,
    /// Outgoing transfers per day.
    pub transfer_minor: i64,
    /// Withdrawals per day.
    pub withdrawal_minor: i64,
}

/// The level-0 limit per day in `currency`, minor units (the same for every movement).
pub fn base_daily_minor(currency: Currency) -> i64 {
    match currency {
        Currency::Usd | Currency::Eur => 200_000,
        Currency::Cny => 1_500_000,
        Currency::Jpy => 300_000,
    }
}

/// The limits of a user at `kyc_level` in `currency`. Levels below 0 count as 0, above
/// [`MAX_LEVEL`] as [`MAX_LEVEL`].
pub fn limits(kyc_level: i64, currency: Currency) -> DailyLimits {
    let base = base_daily_minor(currency);
    // The factor is a small constant and the bases are far below i64::MAX / 10, so the
    // product cannot overflow; saturating keeps that true should someone raise them.
    let each = if kyc_level.clamp(0, MAX_LEVEL) >= 1 { base.saturating_mul(VERIFIED_FACTOR) } else { base };
    DailyLimits { currency, deposit_minor: each, transfer_minor: each, withdrawal_minor: each }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_zero_meets_the_contract_floor() {
        let floor =
            [(Currency::Usd, 200_000), (Currency::Eur, 200_000), (Currency::Cny, 1_500_000), (Currency::Jpy, 300_000)];
        for (c, min) in floor {
            let l = limits(0, c);
            assert_eq!(l.currency, c);
            assert!(l.deposit_minor >= min && l.transfer_minor >= min && l.withdrawal_minor >= min, "{c:?}");
        }
        assert_eq!(limits(-3, Currency::Usd), limits(0, Currency::Usd));
    }

    #[test]
    fn approved_documents_raise_every_limit_tenfold() {
        for c in Currency::ALL {
            let (l0, l1) = (limits(0, c), limits(1, c));
            assert_eq!(l1.deposit_minor, l0.deposit_minor * 10);
            assert_eq!(l1.transfer_minor, l0.transfer_minor * 10);
            assert_eq!(l1.withdrawal_minor, l0.withdrawal_minor * 10);
            assert_eq!(limits(7, c), l1);
        }
        assert_eq!(limits(1, Currency::Jpy).deposit_minor, 3_000_000);
    }
}
