//! [`BankDepositStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{BankDepositRecord, BankDepositStore, BankSettlement};
use okpay_ledger::StorageError;

use super::SqliteStore;
use super::accounts::insert_mail;
use crate::bank_deposit_sql::{self as q, BankDepositTuple, record};
use crate::error::{app_error, corrupt};

#[async_trait]
impl BankDepositStore for SqliteStore {
    async fn insert_bank_deposit(&self, r: &BankDepositRecord) -> Result<BankDepositRecord, StorageError> {
        sqlx::query(q::INSERT)
            .bind(&r.id)
            .bind(&r.owner)
            .bind(&r.line_id)
            .bind(&r.payment_method)
            .bind(&r.rail_token)
            .bind(r.amount_minor)
            .bind(r.currency.code())
            .bind(&r.status)
            .bind(&r.failure_code)
            .bind(r.attempts)
            .bind(r.due_at_us)
            .bind(r.created_at_us)
            .bind(r.settled_at_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        self.bank_deposit(&r.id)
            .await?
            .ok_or_else(|| corrupt(format_args!("bank deposit {} vanished after insert", r.id)))
    }

    async fn bank_deposit(&self, id: &str) -> Result<Option<BankDepositRecord>, StorageError> {
        let row: Option<BankDepositTuple> =
            sqlx::query_as(q::BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
        row.map(record).transpose()
    }

    async fn claim_bank_deposits(
        &self,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<BankDepositRecord>, StorageError> {
        let rows: Vec<BankDepositTuple> = sqlx::query_as(q::CLAIM_SQLITE)
            .bind(now_us)
            .bind(lease_until_us)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(app_error)?;
        rows.into_iter().map(record).collect()
    }

    async fn reschedule_bank_deposit(&self, id: &str, due_at_us: i64) -> Result<(), StorageError> {
        sqlx::query(q::RESCHEDULE).bind(id).bind(due_at_us).execute(&self.pool).await.map_err(app_error)?;
        Ok(())
    }

    async fn settle_bank_deposit(&self, id: &str, s: &BankSettlement<'_>) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let moved = sqlx::query(q::SETTLE)
            .bind(id)
            .bind(s.status)
            .bind(s.failure_code)
            .bind(s.at_us)
            .execute(&mut *tx)
            .await
            .map_err(app_error)?;
        if moved.rows_affected() != 1 {
            return Ok(false); // dropping the transaction rolls it back
        }
        let line: Option<(String,)> = sqlx::query_as("SELECT line_id FROM bank_deposits WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(app_error)?;
        if let Some((line_id,)) = line {
            sqlx::query(q::LINE_DETAILS).bind(line_id).bind(s.details).execute(&mut *tx).await.map_err(app_error)?;
        }
        if let Some(mail) = s.mail {
            insert_mail(&mut tx, mail).await?;
        }
        tx.commit().await.map_err(app_error)?;
        Ok(true)
    }
}
