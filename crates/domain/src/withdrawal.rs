//! Withdrawals: where the money goes (a bank account or a card), the status machine, and fees.
//!
//! A withdrawal is `pending` while it can still be canceled, `processing` once the payout has
//! started on the rail, then `paid` or `failed`; a `pending` one can instead be `canceled`.
//! Fees are a fixed part plus a percentage in basis points, rounded up to the minor unit, with
//! checked arithmetic: an overflow is a refusal, never a wrap.

use std::fmt;
use std::str::FromStr;

/// Where a withdrawal pays out to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WithdrawalMethod {
    /// A saved bank account (paid by the bank rail after its settlement delay).
    BankAccount,
    /// A saved card (a card payout, decided at once by the processor).
    Card,
}

impl WithdrawalMethod {
    /// Both methods, in a stable order.
    pub const ALL: [WithdrawalMethod; 2] = [WithdrawalMethod::BankAccount, WithdrawalMethod::Card];

    /// The payment method `type` it applies to (`bank_account`, `card`).
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawalMethod::BankAccount => "bank_account",
            WithdrawalMethod::Card => "card",
        }
    }

    /// Parses a payment method `type`; other types cannot receive withdrawals.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Where a withdrawal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WithdrawalStatus {
    /// Held; the owner may still cancel it.
    Pending,
    /// The payout started on the rail; it can no longer be canceled.
    Processing,
    /// The money left: the hold is posted.
    Paid,
    /// The rail refused or returned it: the hold is released.
    Failed,
    /// The owner canceled it while pending: the hold is released.
    Canceled,
}

impl WithdrawalStatus {
    /// Every status, in life order.
    pub const ALL: [WithdrawalStatus; 5] = [
        WithdrawalStatus::Pending,
        WithdrawalStatus::Processing,
        WithdrawalStatus::Paid,
        WithdrawalStatus::Failed,
        WithdrawalStatus::Canceled,
    ];

    /// The wire and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawalStatus::Pending => "pending",
            WithdrawalStatus::Processing => "processing",
            WithdrawalStatus::Paid => "paid",
            WithdrawalStatus::Failed => "failed",
            WithdrawalStatus::Canceled => "canceled",
        }
    }

    /// Parses the storage value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether a withdrawal may move from `self` to `next`.
    pub fn can_become(self, next: WithdrawalStatus) -> bool {
        use WithdrawalStatus::*;
        matches!((self, next), (Pending, Processing | Canceled | Failed) | (Processing, Paid | Failed))
    }

    /// Whether no further change can happen.
    pub fn is_final(self) -> bool {
        matches!(self, WithdrawalStatus::Paid | WithdrawalStatus::Failed | WithdrawalStatus::Canceled)
    }
}

impl fmt::Display for WithdrawalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Most basis points a fee may take (100 %).
pub const MAX_FEE_BPS: i64 = 10_000;

/// A fee rule: `fixed_minor + ceil(amount × bps / 10 000)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeeRule {
    /// Fixed part, minor units (≥ 0).
    pub fixed_minor: i64,
    /// Percentage part in basis points (0–10 000; 150 = 1.5 %).
    pub bps: i64,
}

impl FeeRule {
    /// The fee on `amount_minor` (positive), or `None` if it overflows `i64`.
    pub fn fee(self, amount_minor: i64) -> Option<i64> {
        // i128 so that amount × bps cannot overflow before the division.
        let product = i128::from(amount_minor).checked_mul(i128::from(self.bps))?;
        let percent = (product + 9_999).div_euclid(10_000);
        let percent = i64::try_from(percent).ok()?;
        self.fixed_minor.checked_add(percent)
    }
}

impl fmt::Display for FeeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}bps", self.fixed_minor, self.bps)
    }
}

/// Why a fee rule did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeRuleError(pub String);

impl fmt::Display for FeeRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FeeRuleError {}

impl FromStr for FeeRule {
    type Err = FeeRuleError;

    /// `"25"`, `"150bps"` or `"25+150bps"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || FeeRuleError(format!("expected <fixed>+<n>bps such as 25+150bps, got {s:?}"));
        let s = s.trim();
        let (fixed, bps) = match s.split_once('+') {
            Some((fixed, bps)) => (fixed.trim(), Some(bps.trim())),
            None if s.ends_with("bps") => ("0", Some(s)),
            None => (s, None),
        };
        let fixed_minor: i64 = fixed.parse().map_err(|_| bad())?;
        let bps: i64 = match bps {
            Some(b) => b.strip_suffix("bps").ok_or_else(bad)?.trim().parse().map_err(|_| bad())?,
            None => 0,
        };
        if fixed_minor < 0 || !(0..=MAX_FEE_BPS).contains(&bps) {
            return Err(FeeRuleError(format!("fees must be ≥ 0 and at most {MAX_FEE_BPS}bps, got {s:?}")));
        }
        Ok(FeeRule { fixed_minor, bps })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_round_up_and_never_wrap() {
        let card = FeeRule { fixed_minor: 0, bps: 150 };
        assert_eq!(card.fee(10_000), Some(150));
        assert_eq!(card.fee(101), Some(2), "1.515 rounds up");
        assert_eq!(card.fee(100), Some(2), "1.5 rounds up");
        assert_eq!(card.fee(1), Some(1));
        let bank = FeeRule { fixed_minor: 25, bps: 0 };
        assert_eq!(bank.fee(1_000_000), Some(25));
        assert_eq!(FeeRule { fixed_minor: 30, bps: 100 }.fee(1_000), Some(40));
        assert_eq!(FeeRule { fixed_minor: i64::MAX, bps: 1 }.fee(10_000), None);
        assert_eq!(FeeRule { fixed_minor: 0, bps: 10_000 }.fee(i64::MAX), Some(i64::MAX));
        assert_eq!(FeeRule { fixed_minor: 1, bps: 10_000 }.fee(i64::MAX), None);
    }

    #[test]
    fn fee_rules_parse() {
        assert_eq!("25".parse(), Ok(FeeRule { fixed_minor: 25, bps: 0 }));
        assert_eq!("150bps".parse(), Ok(FeeRule { fixed_minor: 0, bps: 150 }));
        assert_eq!(" 25 + 150bps ".parse(), Ok(FeeRule { fixed_minor: 25, bps: 150 }));
        for bad in ["", "x", "-1", "25+", "25+150", "25+10001bps", "1.5"] {
            assert!(bad.parse::<FeeRule>().is_err(), "{bad}");
        }
        assert_eq!(FeeRule { fixed_minor: 25, bps: 150 }.to_string(), "25+150bps");
    }

    #[test]
    fn statuses_move_forward_only() {
        use WithdrawalStatus::*;
        assert!(Pending.can_become(Processing) && Pending.can_become(Canceled));
        assert!(Processing.can_become(Paid) && Processing.can_become(Failed));
        assert!(!Processing.can_become(Canceled), "no cancel once processing");
        assert!(!Paid.can_become(Failed) && !Canceled.can_become(Processing));
        assert!(Paid.is_final() && Failed.is_final() && Canceled.is_final() && !Pending.is_final());
        for s in WithdrawalStatus::ALL {
            assert_eq!(WithdrawalStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(WithdrawalMethod::parse("card"), Some(WithdrawalMethod::Card));
        assert_eq!(WithdrawalMethod::parse("wallet"), None);
    }
}
