//! The `line_notices` queue's statements, shared by both backends; the
//! [`okpay_app::ports::NoticeStore`] implementation is expanded in each backend's `notices`
//! module (whose `insert_mail` and `Tx` it uses).

use crate::records::line_columns;

/// The rows of the oldest notices.
pub(crate) const DUE: &str = concat!(
    "SELECT ",
    line_columns!(),
    " FROM line_notices n JOIN transactions t ON t.id = n.txn_id ORDER BY n.queued_at_us, n.txn_id LIMIT $1"
);

/// Removes one notice (the guard against mailing twice).
pub(crate) const REMOVE: &str = "DELETE FROM line_notices WHERE txn_id = $1";

/// How many wait.
pub(crate) const COUNT: &str = "SELECT COUNT(*) FROM line_notices";

/// The [`okpay_app::ports::NoticeStore`] implementation for `$store`.
macro_rules! impl_notice_store {
    ($store:ty) => {
        #[async_trait]
        impl NoticeStore for $store {
            async fn due_notices(&self, limit: u32) -> Result<Vec<StatementLine>, StorageError> {
                let rows: Vec<LineTuple> =
                    sqlx::query_as(q::DUE).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(app_error)?;
                rows.into_iter().map(records::line).collect()
            }

            async fn finish_notices(&self, done: &[NoticeDone]) -> Result<usize, StorageError> {
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let mut queued = 0;
                for d in done {
                    let removed = sqlx::query(q::REMOVE).bind(&d.txn_id).execute(&mut *tx).await.map_err(app_error)?;
                    if removed.rows_affected() == 1
                        && let Some(mail) = &d.mail
                    {
                        insert_mail(&mut tx, mail).await?;
                        queued += 1;
                    }
                }
                tx.commit().await.map_err(app_error)?;
                Ok(queued)
            }

            async fn queued_notices(&self) -> Result<i64, StorageError> {
                let (n,): (i64,) = sqlx::query_as(q::COUNT).fetch_one(&self.pool).await.map_err(app_error)?;
                Ok(n)
            }
        }
    };
}
pub(crate) use impl_notice_store;
