//! Keyset pagination of history, shared by both backends.
//!
//! Rows are ordered newest first by `(created_at_us, id)`. The exclusive `to` filter and the
//! `starting_after` cursor are both upper bounds on that pair, so they merge into one row-value
//! comparison, `(created_at_us, id) < (at, id)`, which both databases answer with a range scan
//! of the `(owner, created_at_us DESC, id DESC)` index. [`HistoryStore`] is implemented here
//! for both stores; each backend supplies only its range read (`lines_below`).

use async_trait::async_trait;
use okpay_app::ports::{HistoryFilter, HistoryPosition, HistoryRow, HistoryStore};
use okpay_ledger::{StatementLine, StorageError};

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, LineTuple, line_columns};
use crate::sqlite::SqliteStore;

/// The [`HistoryStore`] implementation for `$store`: every statement but the range read is the
/// same text on both backends; the range read is the store's own `lines_below(owner, filter,
/// upper, limit)` (SQLite: rusqlite readers; PostgreSQL: planned with the actual values).
macro_rules! impl_history_store {
    ($store:ty) => {
        #[async_trait]
        impl HistoryStore for $store {
            async fn insert_line(&self, l: &StatementLine) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(concat!(
                    "INSERT INTO transactions (",
                    line_columns!(),
                    ", initial_status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $7)
                     ON CONFLICT (id) DO NOTHING"
                ))
                .bind(&l.id)
                .bind(&l.owner)
                .bind(&l.kind)
                .bind(l.amount_minor)
                .bind(l.fee_minor)
                .bind(l.currency.code())
                .bind(&l.status)
                .bind(&l.source_id)
                .bind(&l.counterparty)
                .bind(&l.description)
                .bind(&l.details)
                .bind(l.created_at_us)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn lines(
                &self,
                owner: &str,
                filter: &HistoryFilter,
                starting_after: Option<&str>,
                limit: u32,
            ) -> Result<Vec<StatementLine>, StorageError> {
                let cursor = match starting_after {
                    None => None,
                    Some(id) => {
                        let c: Option<(i64, String)> =
                            sqlx::query_as("SELECT created_at_us, id FROM transactions WHERE owner = $1 AND id = $2")
                                .bind(owner)
                                .bind(id)
                                .fetch_optional(&self.pool)
                                .await
                                .map_err(app_error)?;
                        // A cursor that is not one of the owner's rows has nothing after it.
                        let Some((created_at_us, id)) = c else { return Ok(Vec::new()) };
                        Some(HistoryPosition { created_at_us, id })
                    }
                };
                self.lines_after(owner, filter, cursor.as_ref(), limit).await
            }

            async fn lines_after(
                &self,
                owner: &str,
                filter: &HistoryFilter,
                after: Option<&HistoryPosition>,
                limit: u32,
            ) -> Result<Vec<StatementLine>, StorageError> {
                let cursor = after.map(|p| (p.created_at_us, p.id.clone()));
                let upper = $crate::history::upper_bound(filter.to_us, cursor)
                    .map(|(created_at_us, id)| HistoryPosition { created_at_us, id });
                self.lines_below(owner, filter, upper, limit).await
            }

            async fn line(&self, owner: &str, id: &str) -> Result<Option<HistoryRow>, StorageError> {
                let row: Option<LineTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    line_columns!(),
                    " FROM transactions WHERE owner = $1 AND id = $2"
                ))
                .bind(owner)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                let Some(row) = row else { return Ok(None) };
                let status_history: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT status, at_us FROM (
                         SELECT initial_status AS status, created_at_us AS at_us, 0 AS o, 0 AS seq
                         FROM transactions WHERE id = $1
                         UNION ALL
                         SELECT status, at_us, 1, id FROM transaction_events WHERE txn_id = $1
                     ) AS h ORDER BY o, at_us, seq",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(Some(HistoryRow { line: records::line(row)?, status_history }))
            }

            async fn line_by_source(
                &self,
                owner: &str,
                source_id: &str,
            ) -> Result<Option<StatementLine>, StorageError> {
                let row: Option<LineTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    line_columns!(),
                    " FROM transactions WHERE owner = $1 AND source_id = $2 ORDER BY created_at_us, id LIMIT 1"
                ))
                .bind(owner)
                .bind(source_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                row.map(records::line).transpose()
            }
        }
    };
}

impl_history_store!(SqliteStore);
impl_history_store!(PgStore);

/// The tighter of the two upper bounds, if any.
///
/// `created_at_us < to` is the same as `(created_at_us, id) < (to, "")`: no id sorts below the
/// empty string. Ids compare bytewise in both backends (SQLite `BINARY`, PostgreSQL `"C"`), as
/// Rust's `String` does, so the minimum taken here is the one the database would take.
pub(crate) fn upper_bound(to_us: Option<i64>, cursor: Option<(i64, String)>) -> Option<(i64, String)> {
    let to = to_us.map(|t| (t, String::new()));
    match (to, cursor) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_tighter_bound() {
        assert_eq!(upper_bound(None, None), None);
        assert_eq!(upper_bound(Some(10), None), Some((10, String::new())));
        let c = (5, "txn_b".to_owned());
        assert_eq!(upper_bound(Some(10), Some(c.clone())), Some(c.clone()));
        assert_eq!(upper_bound(Some(5), Some(c)), Some((5, String::new())));
    }
}
