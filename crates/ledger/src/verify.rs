//! The result of `okpay ledger verify`: one named check per invariant.

use serde::Serialize;

/// One invariant and what was found.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable name, e.g. `journals_balance`.
    pub name: &'static str,
    /// What the invariant says.
    pub description: &'static str,
    /// How many rows break it.
    pub violations: i64,
    /// A few offending rows, for the operator.
    pub examples: Vec<String>,
}

/// Every check, in a fixed order.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The checks.
    pub checks: Vec<Check>,
    /// Journals examined.
    pub journals: i64,
    /// Accounts examined.
    pub accounts: i64,
}

impl VerifyReport {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.checks.iter().all(|c| c.violations == 0)
    }

    /// Names of the failed checks.
    pub fn failures(&self) -> Vec<&'static str> {
        self.checks.iter().filter(|c| c.violations > 0).map(|c| c.name).collect()
    }
}

/// The invariants, with their descriptions; backends fill in the counts.
pub const INVARIANTS: [(&str, &str); 8] = [
    ("journals_balance", "every journal's postings sum to zero"),
    ("postings_match_currency", "every posting's account has its journal's currency"),
    ("balances_match_postings", "every account's balance equals the sum of its postings"),
    ("currency_totals_zero", "per currency, all balances sum to zero"),
    ("no_negative_user_balance", "no user account's available balance is below zero"),
    ("pending_matches_holds", "every account's pending amounts equal its pending holds"),
    ("holds_resolved_once", "no hold is both posted and voided, and every posted hold has exactly one journal"),
    ("references_exist", "every posting names an existing journal and account, and every journal's hold exists"),
];
