//! Bank rails: the interface a bank (ACH, SEPA, ...) connection plugs into, and the built-in
//! simulator of API.md §6.
//!
//! A bank pull is asynchronous: we start it with our reference, and the bank reports its
//! outcome later. The simulator decides by the account number's last four digits (kept in the
//! payment method's rail token): `1111` fails; `0000` (and, by decision, every other number)
//! settles once the configured settlement delay has passed since the pull started.

use okpay_domain::{Amount, Currency};

use crate::error::Code;

/// What the bank says about a pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankOutcome {
    /// Not decided yet; ask again later.
    Pending,
    /// The funds arrived.
    Settled,
    /// The bank returned the pull; the code is recorded as the deposit's `failure_code`.
    Failed(Code),
}

/// A bank connection.
pub trait BankRail: Send + Sync {
    /// Starts pulling `amount` from the tokenised account. `reference` is our idempotency
    /// reference: the bank must not pull twice for one reference. Returns how long from now
    /// the bank expects to answer, µs.
    fn initiate_pull(&self, token: &str, amount: Amount, currency: Currency, reference: &str) -> i64;
    /// The outcome of the pull `reference` started at `started_at_us`, as of `now_us`.
    fn pull_outcome(&self, token: &str, reference: &str, started_at_us: i64, now_us: i64) -> BankOutcome;
    /// Starts paying `amount` out to the tokenised account. `reference` is our idempotency
    /// reference: the bank must not pay twice for one reference, so calling this again for a
    /// payout already started only answers the wait again. Returns how long from now the bank
    /// expects to answer, µs.
    fn initiate_payout(&self, token: &str, amount: Amount, currency: Currency, reference: &str) -> i64;
    /// The outcome of the payout `reference` started at `started_at_us`, as of `now_us`
    /// (`Settled`: the money arrived; `Failed`: the bank returned it).
    fn payout_outcome(&self, token: &str, reference: &str, started_at_us: i64, now_us: i64) -> BankOutcome;
}

/// The built-in test-mode bank.
#[derive(Debug, Clone, Copy)]
pub struct BankSimulator {
    /// How long a pull takes to settle, µs (`OKPAY_BANK_SETTLEMENT_DELAY`).
    pub settlement_delay_us: i64,
}

impl BankSimulator {
    /// The last four digits the token carries (`simbank_<last4>_<random>`).
    fn last4(token: &str) -> Option<&str> {
        token.strip_prefix("simbank_").and_then(|t| t.split('_').next())
    }
}

impl BankRail for BankSimulator {
    fn initiate_pull(&self, _token: &str, _amount: Amount, _currency: Currency, _reference: &str) -> i64 {
        self.settlement_delay_us
    }

    fn pull_outcome(&self, token: &str, _reference: &str, started_at_us: i64, now_us: i64) -> BankOutcome {
        match Self::last4(token) {
            Some("1111") => BankOutcome::Failed(Code::BankTransferFailed),
            // A token we did not issue: a real bank would not know the account.
            None => BankOutcome::Failed(Code::BankTransferFailed),
            Some(_) if now_us.saturating_sub(started_at_us) < self.settlement_delay_us => BankOutcome::Pending,
            Some(_) => BankOutcome::Settled,
        }
    }

    fn initiate_payout(&self, _token: &str, _amount: Amount, _currency: Currency, _reference: &str) -> i64 {
        self.settlement_delay_us
    }

    fn payout_outcome(&self, token: &str, _reference: &str, started_at_us: i64, now_us: i64) -> BankOutcome {
        // The same accounts behave the same way in both directions; a returned payout is told
        // apart from a failed pull by its code.
        match self.pull_outcome(token, "", started_at_us, now_us) {
            BankOutcome::Failed(_) => BankOutcome::Failed(Code::WithdrawalReturned),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIM: BankSimulator = BankSimulator { settlement_delay_us: 1_000_000 };

    fn outcome(token: &str, elapsed_us: i64) -> BankOutcome {
        SIM.pull_outcome(token, "dep_1", 10, 10 + elapsed_us)
    }

    #[test]
    fn accounts_behave_as_documented() {
        let amount = Amount::new(500).expect("amount");
        assert_eq!(SIM.initiate_pull("simbank_0000_x", amount, Currency::Usd, "dep_1"), 1_000_000);
        assert_eq!(outcome("simbank_0000_abc", 999_999), BankOutcome::Pending);
        assert_eq!(outcome("simbank_0000_abc", 1_000_000), BankOutcome::Settled);
        assert_eq!(outcome("simbank_1111_abc", 0), BankOutcome::Failed(Code::BankTransferFailed));
        assert_eq!(outcome("simbank_1111_abc", 5_000_000), BankOutcome::Failed(Code::BankTransferFailed));
        assert_eq!(outcome("simbank_4321_abc", 1_000_000), BankOutcome::Settled, "others settle like 0000");
        assert_eq!(outcome("simbank_4321_abc", 10), BankOutcome::Pending);
        assert_eq!(outcome("sim_ok_abc", 5_000_000), BankOutcome::Failed(Code::BankTransferFailed));
    }

    #[test]
    fn payouts_behave_like_pulls() {
        let amount = Amount::new(500).expect("amount");
        assert_eq!(SIM.initiate_payout("simbank_0000_x", amount, Currency::Usd, "wd_1"), 1_000_000);
        let payout = |token: &str, elapsed_us: i64| SIM.payout_outcome(token, "wd_1", 10, 10 + elapsed_us);
        assert_eq!(payout("simbank_0000_abc", 999_999), BankOutcome::Pending);
        assert_eq!(payout("simbank_0000_abc", 1_000_000), BankOutcome::Settled);
        assert_eq!(payout("simbank_1111_abc", 0), BankOutcome::Failed(Code::WithdrawalReturned));
        assert_eq!(payout("sim_ok_abc", 0), BankOutcome::Failed(Code::WithdrawalReturned));
    }
}
