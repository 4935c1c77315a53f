//! [`WithdrawalStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{WithdrawalRecord, WithdrawalStore, WithdrawalTransition};
use okpay_ledger::StorageError;

use super::PgStore;
use super::accounts::insert_mail;
use crate::error::{app_error, corrupt};
use crate::withdrawal_sql::{self as q, WithdrawalRow, record};

#[async_trait]
impl WithdrawalStore for PgStore {
    async fn insert_withdrawal(&self, r: &WithdrawalRecord) -> Result<WithdrawalRecord, StorageError> {
        sqlx::query(q::INSERT)
            .bind(&r.id)
            .bind(&r.owner)
            .bind(&r.line_id)
            .bind(&r.payment_method)
            .bind(&r.method)
            .bind(&r.rail_token)
            .bind(r.amount_minor)
            .bind(r.fee_minor)
            .bind(r.currency.code())
            .bind(&r.status)
            .bind(&r.failure_code)
            .bind(r.attempts)
            .bind(r.due_at_us)
            .bind(r.created_at_us)
            .bind(r.processing_at_us)
            .bind(r.finished_at_us)
            .bind(r.estimated_arrival_us)
            .bind(r.created_mailed)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        self.withdrawal(&r.id).await?.ok_or_else(|| corrupt(format_args!("withdrawal {} vanished after insert", r.id)))
    }

    async fn delete_withdrawal(&self, id: &str) -> Result<bool, StorageError> {
        let done = sqlx::query(q::DELETE_REFUSED).bind(id).execute(&self.pool).await.map_err(app_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StorageError> {
        let row: Option<WithdrawalRow> =
            sqlx::query_as(q::BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
        row.map(record).transpose()
    }

    async fn withdrawals(
        &self,
        owner: &str,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<WithdrawalRecord>, StorageError> {
        let cursor = match starting_after {
            Some(id) => match self.withdrawal(id).await? {
                Some(w) if w.owner == owner => Some(w),
                _ => return Ok(Vec::new()),
            },
            None => None,
        };
        let rows: Vec<WithdrawalRow> = match cursor {
            Some(c) => sqlx::query_as(q::LIST_AFTER)
                .bind(owner)
                .bind(c.created_at_us)
                .bind(c.id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?,
            None => sqlx::query_as(q::LIST_FIRST)
                .bind(owner)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?,
        };
        rows.into_iter().map(record).collect()
    }

    async fn claim_withdrawals(
        &self,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<WithdrawalRecord>, StorageError> {
        let rows: Vec<WithdrawalRow> = sqlx::query_as(q::CLAIM_POSTGRES)
            .bind(now_us)
            .bind(lease_until_us)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(app_error)?;
        rows.into_iter().map(record).collect()
    }

    async fn reschedule_withdrawal(&self, id: &str, due_at_us: i64) -> Result<(), StorageError> {
        sqlx::query(q::RESCHEDULE).bind(id).bind(due_at_us).execute(&self.pool).await.map_err(app_error)?;
        Ok(())
    }

    async fn queue_withdrawal_created_mail(
        &self,
        id: &str,
        mail: &okpay_app::ports::OutboxMail,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let marked = sqlx::query(q::CREATED_MAILED).bind(id).execute(&mut *tx).await.map_err(app_error)?;
        if marked.rows_affected() != 1 {
            return Ok(false); // dropping the transaction rolls it back
        }
        insert_mail(&mut tx, mail).await?;
        tx.commit().await.map_err(app_error)?;
        Ok(true)
    }

    async fn transition_withdrawal(&self, id: &str, t: &WithdrawalTransition<'_>) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let line: Option<(String,)> = sqlx::query_as(q::TRANSITION)
            .bind(id)
            .bind(t.from)
            .bind(t.to)
            .bind(t.due_at_us)
            .bind(t.failure_code)
            .bind((t.to == "processing").then_some(t.at_us))
            .bind(t.finish.then_some(t.at_us))
            .fetch_optional(&mut *tx)
            .await
            .map_err(app_error)?;
        let Some((line_id,)) = line else {
            return Ok(false); // dropping the transaction rolls it back
        };
        if t.line_status {
            sqlx::query(q::LINE_STATUS).bind(&line_id).bind(t.to).execute(&mut *tx).await.map_err(app_error)?;
            sqlx::query(q::LINE_EVENT)
                .bind(&line_id)
                .bind(t.to)
                .bind(t.at_us)
                .execute(&mut *tx)
                .await
                .map_err(app_error)?;
        }
        if let Some(details) = t.line_details {
            sqlx::query(q::LINE_DETAILS).bind(&line_id).bind(details).execute(&mut *tx).await.map_err(app_error)?;
        }
        if let Some(mail) = t.mail {
            insert_mail(&mut tx, mail).await?;
        }
        tx.commit().await.map_err(app_error)?;
        Ok(true)
    }
}
