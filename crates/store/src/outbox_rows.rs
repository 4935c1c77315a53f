//! The mail outbox's rows, shared by both backends (same columns, same order).

use okpay_app::ports::OutboxMail;

/// Columns returned by a claim, in [`mail`]'s order.
macro_rules! outbox_columns {
    () => {
        "id, to_addr, kind, subject, text_body, html_body, attempts, created_at_us"
    };
}
pub(crate) use outbox_columns;

/// A claimed `mail_outbox` row.
pub(crate) type OutboxTuple = (String, String, String, String, String, String, i64, i64);

/// Decodes a claimed row.
pub(crate) fn mail(t: OutboxTuple) -> OutboxMail {
    let (id, to, kind, subject, text, html, attempts, created_at_us) = t;
    OutboxMail { id, to, kind, subject, text, html, attempts, created_at_us }
}

/// `INSERT` of a new pending row (both backends).
pub(crate) const INSERT: &str = "INSERT INTO mail_outbox (id, to_addr, kind, subject, text_body, html_body, status, \
     attempts, next_attempt_at_us, created_at_us) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)";
/// Marks rows sent and blanks their bodies: `$ids` names the rows, `$at` binds the time
/// ([`SENT_PG`], and SQLite's one-row statement in `sqlite::outbox`).
macro_rules! sent_sql {
    ($ids:literal, $at:literal, $pending:literal) => {
        concat!(
            "UPDATE mail_outbox SET status = 'sent', done_at_us = ",
            $at,
            ", text_body = '', html_body = '', last_error = NULL WHERE ",
            $ids,
            " AND ",
            $pending
        )
    };
}
pub(crate) use sent_sql;
/// Marks the rows of an array of ids sent (PostgreSQL).
pub(crate) const SENT_PG: &str = sent_sql!("id = ANY($1)", "$2", "status = 'pending'");
/// Schedules a retry.
pub(crate) const RETRY: &str =
    "UPDATE mail_outbox SET next_attempt_at_us = $2, last_error = $3 WHERE id = $1 AND status = 'pending'";
/// Gives up on a row.
pub(crate) const FAILED: &str =
    "UPDATE mail_outbox SET status = 'failed', last_error = $2, done_at_us = $3 WHERE id = $1 AND status = 'pending'";
/// Pending and failed counts: two ranges of the `(status, next_attempt_at_us)` index, so the
/// cost follows the rows waiting or failed, never the sent history (one mail per money movement
/// makes that large).
pub(crate) const COUNTS: &str = "SELECT (SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'), \
     (SELECT COUNT(*) FROM mail_outbox WHERE status = 'failed')";
/// Longest error text kept per row.
pub(crate) const MAX_ERROR_CHARS: usize = 500;

/// An error message cut to [`MAX_ERROR_CHARS`].
pub(crate) fn short(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// Inserts many new pending rows in one statement (PostgreSQL): `$1` is the JSON array of rows
/// [`many`] makes, `$2` when the rows are due (NULL: each row's creation time; a lease's end for
/// rows queued already claimed).
pub(crate) const INSERT_MANY_PG: &str = "INSERT INTO mail_outbox (id, to_addr, kind, subject, text_body, \
     html_body, status, attempts, next_attempt_at_us, created_at_us) SELECT m ->> 0, m ->> 1, m ->> 2, m ->> 3, \
     m ->> 4, m ->> 5, 'pending', (m ->> 7)::bigint, COALESCE($2::bigint, (m ->> 6)::bigint), (m ->> 6)::bigint \
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(m, n) ORDER BY n";

/// `mails` as the JSON array of rows [`INSERT_MANY_PG`] takes.
pub(crate) fn many(mails: &[&OutboxMail]) -> Result<String, okpay_ledger::StorageError> {
    let rows: Vec<_> = mails
        .iter()
        .map(|m| {
            (
                m.id.as_str(),
                m.to.as_str(),
                m.kind.as_str(),
                m.subject.as_str(),
                m.text.as_str(),
                m.html.as_str(),
                m.created_at_us,
                m.attempts,
            )
        })
        .collect();
    crate::rows::to_json(&rows)
}
