//! A ledger [`Plan`] flattened into rows, one list per table.
//!
//! SQLite binds each row to a cached prepared statement (`sqlite/batch.rs`); PostgreSQL
//! transposes each list into one array per column and writes it with one `UNNEST` statement,
//! whatever the batch size.

use std::collections::HashMap;

use okpay_ledger::plan::Plan;

/// `(account id, balance delta, debits_pending delta, credits_pending delta)`.
pub(crate) type DeltaRow = (i64, i64, i64, i64);
/// `(id, reference, kind, currency, hold id)`.
pub(crate) type JournalRow<'a> = (i64, &'a str, &'a str, &'static str, Option<i64>);
/// `(journal id, seq, account id, signed amount)`.
pub(crate) type PostingRow = (i64, i64, i64, i64);
/// `(id, reference, kind, currency)`; new holds are always pending.
pub(crate) type HoldRow<'a> = (i64, &'a str, &'a str, &'static str);
/// `(hold id, seq, debit account, credit account, amount)`.
pub(crate) type LegRow = (i64, i64, i64, i64, i64);
/// `(hold id, new status)`.
pub(crate) type HoldUpdateRow = (i64, &'static str);
/// `(id, owner, kind, amount, fee, currency, status, source id, counterparty, description,
/// details, created_at_us)`.
pub(crate) type LineRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    i64,
    i64,
    &'static str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    i64,
);
/// `(line id, queued_at_us)`: a notice to the line's owner.
pub(crate) type NoticeRow<'a> = (&'a str, i64);
/// `(line id, status)`.
pub(crate) type LineStatusRow<'a> = (&'a str, &'a str);
/// `(line id, status, at_us)`.
pub(crate) type EventRow<'a> = (&'a str, &'a str, i64);

/// Everything a plan writes, table by table.
#[derive(Debug, Default)]
pub(crate) struct Rows<'a> {
    /// Relative balance changes (never absolute values, so a stale read cannot clobber).
    pub deltas: Vec<DeltaRow>,
    /// New journals.
    pub journals: Vec<JournalRow<'a>>,
    /// Their postings.
    pub postings: Vec<PostingRow>,
    /// New holds.
    pub holds: Vec<HoldRow<'a>>,
    /// Their legs.
    pub legs: Vec<LegRow>,
    /// Holds posted or voided.
    pub hold_updates: Vec<HoldUpdateRow>,
    /// New statement lines.
    pub lines: Vec<LineRow<'a>>,
    /// Notices queued about new lines.
    pub notices: Vec<NoticeRow<'a>>,
    /// The final status of each line that changes (one row per line: the last update wins).
    pub line_status: Vec<LineStatusRow<'a>>,
    /// Every status change, in order, for the lines' status histories.
    pub events: Vec<EventRow<'a>>,
}

impl<'a> Rows<'a> {
    /// Flattens `plan`.
    pub fn of(plan: &'a Plan) -> Rows<'a> {
        let mut r = Rows {
            deltas: plan.deltas.iter().map(|(id, d)| (id.0, d.balance, d.debits_pending, d.credits_pending)).collect(),
            ..Rows::default()
        };
        for j in &plan.journals {
            r.journals.push((j.id, &j.reference, &j.kind, j.currency.code(), j.hold_id));
            for (seq, (account, amount)) in j.postings.iter().enumerate() {
                r.postings.push((j.id, seq as i64, account.0, *amount));
            }
        }
        for h in &plan.holds {
            r.holds.push((h.id, &h.hold.reference, &h.hold.kind, h.hold.currency.code()));
            for (seq, leg) in h.hold.legs.iter().enumerate() {
                r.legs.push((h.id, seq as i64, leg.debit.0, leg.credit.0, leg.amount.minor()));
            }
        }
        r.hold_updates = plan.hold_updates.iter().map(|(id, status, _)| (*id, status.as_str())).collect();
        r.lines = plan
            .lines
            .iter()
            .map(|l| {
                (
                    l.id.as_str(),
                    l.owner.as_str(),
                    l.kind.as_str(),
                    l.amount_minor,
                    l.fee_minor,
                    l.currency.code(),
                    l.status.as_str(),
                    l.source_id.as_str(),
                    l.counterparty.as_deref(),
                    l.description.as_deref(),
                    l.details.as_deref(),
                    l.created_at_us,
                )
            })
            .collect();
        r.notices = plan.lines.iter().filter(|l| l.notify).map(|l| (l.id.as_str(), l.created_at_us)).collect();
        // An UPDATE ... FROM with two source rows for one target row applies an arbitrary one;
        // keep only the last update of each line so the result is the plan's.
        let mut last: HashMap<&str, usize> = HashMap::new();
        for u in &plan.line_updates {
            match last.get(u.line_id.as_str()) {
                Some(&i) => r.line_status[i].1 = &u.status,
                None => {
                    last.insert(&u.line_id, r.line_status.len());
                    r.line_status.push((&u.line_id, &u.status));
                }
            }
            r.events.push((&u.line_id, &u.status, u.at_us));
        }
        r
    }
}

/// Serialises rows for SQLite's `json_each`.
pub(crate) fn to_json<T: serde::Serialize>(rows: &[T]) -> Result<String, okpay_ledger::StorageError> {
    serde_json::to_string(rows)
        .map_err(|e| okpay_ledger::StorageError { message: format!("cannot encode a batch: {e}"), retryable: false })
}
