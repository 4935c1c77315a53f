//! The SQL behind `okpay ledger verify`, shared by both backends (it is portable SQL).
//!
//! One query per invariant of [`okpay_ledger::verify::INVARIANTS`], in the same order. Each
//! aggregates in the database and returns at most five offending rows, every row carrying the
//! total number of offenders (`count(*) OVER ()` is computed before `LIMIT`), so verifying a
//! large ledger never loads it into memory.

use okpay_ledger::verify::INVARIANTS;
use okpay_ledger::{Check, VerifyReport};

/// How many offending rows a check reports by name.
pub(crate) const EXAMPLES: usize = 5;

/// `(violations, example)` rows of one check.
pub(crate) type CheckRow = (i64, String);

/// The query of each invariant, in [`INVARIANTS`] order.
pub(crate) const CHECK_SQL: [&str; INVARIANTS.len()] = [
    // journals_balance
    "SELECT count(*) OVER (), 'journal ' || CAST(j.id AS TEXT) || ' (' || j.reference || '): '
            || CAST(count(p.journal_id) AS TEXT) || ' postings summing to '
            || CAST(COALESCE(sum(p.amount), 0) AS TEXT)
     FROM journals j LEFT JOIN postings p ON p.journal_id = j.id
     GROUP BY j.id, j.reference
     HAVING COALESCE(sum(p.amount), 0) <> 0 OR count(p.journal_id) < 2
     ORDER BY j.id LIMIT 5",
    // postings_match_currency
    "SELECT count(*) OVER (), 'journal ' || CAST(p.journal_id AS TEXT) || ' (' || j.currency
            || ') posts to account ' || CAST(a.id AS TEXT) || ' (' || a.currency || ')'
     FROM postings p JOIN journals j ON j.id = p.journal_id JOIN accounts a ON a.id = p.account_id
     WHERE a.currency <> j.currency
     ORDER BY p.journal_id, p.seq LIMIT 5",
    // balances_match_postings
    "SELECT count(*) OVER (), 'account ' || CAST(a.id AS TEXT) || ' (' || a.owner || ' ' || a.currency
            || '): balance ' || CAST(a.balance AS TEXT) || ', postings sum to '
            || CAST(COALESCE(s.total, 0) AS TEXT)
     FROM accounts a
     LEFT JOIN (SELECT account_id, sum(amount) AS total FROM postings GROUP BY account_id) s
            ON s.account_id = a.id
     WHERE a.balance <> COALESCE(s.total, 0)
     ORDER BY a.id LIMIT 5",
    // currency_totals_zero
    "SELECT count(*) OVER (), 'currency ' || currency || ': balances sum to ' || CAST(sum(balance) AS TEXT)
     FROM accounts GROUP BY currency HAVING sum(balance) <> 0
     ORDER BY currency LIMIT 5",
    // no_negative_user_balance
    "SELECT count(*) OVER (), 'account ' || CAST(id AS TEXT) || ' (' || owner || ' ' || currency
            || '): available ' || CAST(balance - debits_pending AS TEXT)
     FROM accounts WHERE kind = 'user' AND balance - debits_pending < 0
     ORDER BY id LIMIT 5",
    // pending_matches_holds
    "SELECT count(*) OVER (), 'account ' || CAST(a.id AS TEXT) || ': debits_pending '
            || CAST(a.debits_pending AS TEXT) || ' vs pending holds ' || CAST(COALESCE(d.total, 0) AS TEXT)
            || ', credits_pending ' || CAST(a.credits_pending AS TEXT) || ' vs pending holds '
            || CAST(COALESCE(c.total, 0) AS TEXT)
     FROM accounts a
     LEFT JOIN (SELECT l.debit_account_id AS account_id, sum(l.amount) AS total
                FROM hold_legs l JOIN holds h ON h.id = l.hold_id
                WHERE h.status = 'pending' GROUP BY l.debit_account_id) d ON d.account_id = a.id
     LEFT JOIN (SELECT l.credit_account_id AS account_id, sum(l.amount) AS total
                FROM hold_legs l JOIN holds h ON h.id = l.hold_id
                WHERE h.status = 'pending' GROUP BY l.credit_account_id) c ON c.account_id = a.id
     WHERE a.debits_pending <> COALESCE(d.total, 0) OR a.credits_pending <> COALESCE(c.total, 0)
     ORDER BY a.id LIMIT 5",
    // holds_resolved_once
    "SELECT count(*) OVER (), 'hold ' || CAST(h.id AS TEXT) || ' (' || h.reference || ') is ' || h.status
            || ' with ' || CAST(count(j.id) AS TEXT) || ' journals'
     FROM holds h LEFT JOIN journals j ON j.hold_id = h.id
     GROUP BY h.id, h.reference, h.status
     HAVING count(j.id) <> CASE WHEN h.status = 'posted' THEN 1 ELSE 0 END
     ORDER BY h.id LIMIT 5",
    // references_exist: the database keeps no foreign keys on the batch's own rows (see
    // migration 0025), so the references are proved here.
    "SELECT count(*) OVER (), o.example FROM (
        SELECT p.journal_id AS k1, p.seq AS k2,
               'posting ' || CAST(p.journal_id AS TEXT) || '/' || CAST(p.seq AS TEXT)
               || CASE WHEN j.id IS NULL THEN ' names a missing journal' ELSE '' END
               || CASE WHEN a.id IS NULL THEN ' names missing account ' || CAST(p.account_id AS TEXT)
                  ELSE '' END AS example
        FROM postings p LEFT JOIN journals j ON j.id = p.journal_id
             LEFT JOIN accounts a ON a.id = p.account_id
        WHERE j.id IS NULL OR a.id IS NULL
        UNION ALL
        SELECT j.id, -1, 'journal ' || CAST(j.id AS TEXT) || ' (' || j.reference || ') names missing hold '
               || CAST(j.hold_id AS TEXT)
        FROM journals j LEFT JOIN holds h ON h.id = j.hold_id
        WHERE j.hold_id IS NOT NULL AND h.id IS NULL
     ) o
     ORDER BY o.k1, o.k2 LIMIT 5",
    // usage_totals_match_history: the history rows' sums per (owner, currency, kind, UTC day),
    // by the triggers' rule (migrations sqlite/0027, postgres/0028), against the totals; a
    // total of zero with no row behind it (every row failed since) is fine.
    "SELECT count(*) OVER (), 'usage of ' || COALESCE(r.owner, u.owner) || ' ' || COALESCE(r.currency, u.currency)
            || ' ' || COALESCE(r.kind, u.kind) || ' on day ' || CAST(COALESCE(r.day, u.day) AS TEXT)
            || ': history ' || CAST(COALESCE(r.total, 0) AS TEXT)
            || ', total ' || CAST(COALESCE(u.amount_minor, 0) AS TEXT)
     FROM (SELECT owner, currency, kind, created_at_us / 86400000000 AS day,
                  CAST(sum(amount_minor) AS BIGINT) AS total
           FROM transactions
           WHERE kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
             AND status NOT IN ('failed', 'canceled')
           GROUP BY owner, currency, kind, created_at_us / 86400000000) r
     FULL OUTER JOIN usage_days u
          ON u.owner = r.owner AND u.currency = r.currency AND u.kind = r.kind AND u.day = r.day
     WHERE COALESCE(r.total, 0) <> COALESCE(u.amount_minor, 0)
     ORDER BY 2 LIMIT 5",
    // first_payees_match_history: each sender's earliest succeeded transfer to each recipient
    // (migrations sqlite/0028, postgres/0029), both ways.
    "SELECT count(*) OVER (), 'first payment from ' || COALESCE(r.owner, f.owner) || ' to '
            || COALESCE(r.counterparty, f.counterparty) || ': history '
            || COALESCE(CAST(r.first_us AS TEXT), 'none') || ', first_payees '
            || COALESCE(CAST(f.first_paid_us AS TEXT), 'none')
     FROM (SELECT owner, counterparty, min(created_at_us) AS first_us
           FROM transactions
           WHERE kind = 'transfer_out' AND status = 'succeeded' AND counterparty IS NOT NULL
           GROUP BY owner, counterparty) r
     FULL OUTER JOIN first_payees f ON f.owner = r.owner AND f.counterparty = r.counterparty
     WHERE r.first_us IS NULL OR f.first_paid_us IS NULL OR r.first_us <> f.first_paid_us
     ORDER BY 2 LIMIT 5",
];

/// Counts reported beside the checks.
pub(crate) const COUNT_JOURNALS: &str = "SELECT count(*) FROM journals";
/// Counts reported beside the checks.
pub(crate) const COUNT_ACCOUNTS: &str = "SELECT count(*) FROM accounts";

/// Assembles the report from each check's rows (in [`CHECK_SQL`] order).
pub(crate) fn report(rows: Vec<Vec<CheckRow>>, journals: i64, accounts: i64) -> VerifyReport {
    let checks = INVARIANTS
        .iter()
        .zip(rows)
        .map(|(&(name, description), rows)| Check {
            name,
            description,
            violations: rows.first().map_or(0, |r| r.0),
            examples: rows.into_iter().take(EXAMPLES).map(|r| r.1).collect(),
        })
        .collect();
    VerifyReport { checks, journals, accounts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invariant_is_reported_in_order() {
        let rows = vec![vec![]; INVARIANTS.len() - 1]
            .into_iter()
            .chain([vec![(2, "hold 1".to_owned()), (2, "hold 2".to_owned())]])
            .collect();
        let r = report(rows, 3, 4);
        let names: Vec<_> = r.checks.iter().map(|c| c.name).collect();
        assert_eq!(names, INVARIANTS.map(|i| i.0));
        assert_eq!(r.failures(), vec!["first_payees_match_history"]);
        assert_eq!(r.checks[INVARIANTS.len() - 1].examples.len(), 2);
    }
}
