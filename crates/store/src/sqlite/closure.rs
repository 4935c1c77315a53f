//! [`ClosureStore`] on SQLite. The approval's first statement writes, so its transaction holds
//! the write lock from the start: no ledger batch can move money in or out between the check
//! of the balances and the commit.

use async_trait::async_trait;
use okpay_app::ports::{ApprovalOutcome, ClosureApproval, ClosureRecord, ClosureStore, OutboxMail, UserRecord};
use okpay_domain::closure::ClosureStatus;
use okpay_ledger::StorageError;

use super::SqliteStore;
use super::accounts::insert_mail;
use crate::closure_sql::{self as q, BalanceTuple, ClosureTuple};
use crate::error::app_error;
use crate::records::{self, UserTuple, user_columns};

#[async_trait]
impl ClosureStore for SqliteStore {
    async fn insert_closure_request(&self, r: &ClosureRecord) -> Result<bool, StorageError> {
        let done = sqlx::query(q::INSERT)
            .bind(&r.id)
            .bind(&r.user_id)
            .bind(&r.status)
            .bind(&r.reason)
            .bind(r.created_at_us)
            .execute(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn closure_request(&self, id: &str) -> Result<Option<ClosureRecord>, StorageError> {
        let row: Option<ClosureTuple> =
            sqlx::query_as(q::BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
        Ok(row.map(q::record))
    }

    async fn closure_requests_of(&self, user_id: &str, limit: u32) -> Result<Vec<ClosureRecord>, StorageError> {
        let rows: Vec<ClosureTuple> = sqlx::query_as(q::OF_USER)
            .bind(user_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(rows.into_iter().map(q::record).collect())
    }

    async fn approve_closure(&self, a: &ClosureApproval<'_>) -> Result<ApprovalOutcome, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let decided: Option<ClosureTuple> = sqlx::query_as(q::DECIDE)
            .bind(a.request_id)
            .bind(ClosureStatus::Approved.as_str())
            .bind(a.staff_id)
            .bind(a.now_us)
            .bind(a.note)
            .fetch_optional(&mut *tx)
            .await
            .map_err(app_error)?;
        let Some(request) = decided.map(q::record) else { return Ok(ApprovalOutcome::NotPending) };
        let user_id = request.user_id.as_str();
        let rows: Vec<BalanceTuple> =
            sqlx::query_as(q::BALANCES).bind(user_id).fetch_all(&mut *tx).await.map_err(app_error)?;
        let open = q::open_balances(rows);
        if !open.is_empty() {
            return Ok(ApprovalOutcome::Blocked(open));
        }
        let email: Option<(String,)> =
            sqlx::query_as(q::EMAIL_OF).bind(user_id).fetch_optional(&mut *tx).await.map_err(app_error)?;
        if email.as_ref().map(|(e,)| e.as_str()) != Some(a.expected_email) {
            return Ok(ApprovalOutcome::NotPending);
        }
        // The confirmation goes to the real address before the address is erased.
        insert_mail(&mut tx, a.mail).await?;
        for &sql in q::ERASE {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await.map_err(app_error)?;
        }
        let closed = sqlx::query(q::CLOSE_USER)
            .bind(user_id)
            .bind(&a.erasure.email)
            .bind(&a.erasure.email_hash)
            .bind(&a.erasure.password_hash)
            .bind(a.now_us)
            .execute(&mut *tx)
            .await
            .map_err(app_error)?;
        if closed.rows_affected() != 1 {
            return Ok(ApprovalOutcome::Frozen); // dropping the transaction rolls it back
        }
        tx.commit().await.map_err(app_error)?;
        Ok(ApprovalOutcome::Closed(request))
    }

    async fn reject_closure(
        &self,
        id: &str,
        staff_id: &str,
        note: &str,
        now_us: i64,
        mail: &OutboxMail,
    ) -> Result<Option<ClosureRecord>, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let decided: Option<ClosureTuple> = sqlx::query_as(q::DECIDE)
            .bind(id)
            .bind(ClosureStatus::Rejected.as_str())
            .bind(staff_id)
            .bind(now_us)
            .bind(note)
            .fetch_optional(&mut *tx)
            .await
            .map_err(app_error)?;
        let Some(request) = decided.map(q::record) else { return Ok(None) };
        insert_mail(&mut tx, mail).await?;
        tx.commit().await.map_err(app_error)?;
        Ok(Some(request))
    }

    async fn closed_user_by_email_hash(&self, email_hash: &str) -> Result<Option<UserRecord>, StorageError> {
        let row: Option<UserTuple> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE closed_email_hash = $1 AND status = 'closed' ORDER BY closed_at_us DESC LIMIT 1"
        ))
        .bind(email_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(app_error)?;
        Ok(row.map(records::user))
    }
}
