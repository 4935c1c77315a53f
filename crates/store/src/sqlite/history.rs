//! [`HistoryStore`] on SQLite: keyset pagination over `(owner, created_at_us DESC, id DESC)`.

use async_trait::async_trait;
use okpay_app::ports::{HistoryFilter, HistoryPosition, HistoryRow, HistoryStore};
use okpay_ledger::{StatementLine, StorageError};

use super::SqliteStore;
use crate::error::app_error;
use crate::records::{self, LineTuple, line_columns};

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn insert_line(&self, l: &StatementLine) -> Result<(), StorageError> {
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
        let upper = crate::history::upper_bound(filter.to_us, cursor)
            .map(|(created_at_us, id)| HistoryPosition { created_at_us, id });
        self.readers.lines(owner, filter, upper, limit).await
    }

    async fn line(&self, owner: &str, id: &str) -> Result<Option<HistoryRow>, StorageError> {
        let row: Option<LineTuple> =
            sqlx::query_as(concat!("SELECT ", line_columns!(), " FROM transactions WHERE owner = $1 AND id = $2"))
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

    async fn line_by_source(&self, owner: &str, source_id: &str) -> Result<Option<StatementLine>, StorageError> {
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
