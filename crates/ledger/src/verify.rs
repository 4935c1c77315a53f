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

/// The invariants, with their descriptions; backends fill in the counts. The last two are not
/// the books' own: they prove the tables the database's triggers derive from the history rows
/// (limit usage per day, each sender's first payment to each recipient), which limits and
/// risk rules read instead of the rows.
pub const INVARIANTS: [(&str, &str); 10] = [
    ("journals_balance", "every journal's postings sum to zero"),
    ("postings_match_currency", "every posting's account has its journal's currency"),
    ("balances_match_postings", "every account's balance equals the sum of its postings"),
    ("currency_totals_zero", "per currency, all balances sum to zero"),
    ("no_negative_user_balance", "no user account's available balance is below zero"),
    ("pending_matches_holds", "every account's pending amounts equal its pending holds"),
    ("holds_resolved_once", "no hold is both posted and voided, and every posted hold has exactly one journal"),
    ("references_exist", "every posting names an existing journal and account, and every journal's hold exists"),
    ("usage_totals_match_history", "every per-day limit usage total equals the sum of its counted history rows"),
    ("first_payees_match_history", "every sender's first payment to each recipient is the earliest in the history"),
];
