//! The `line_notices` queue's statements shared by both backends; the
//! [`okpay_app::ports::NoticeStore`] implementation is expanded in each backend's `notices`
//! module, which writes a round's finish its own way.

use crate::records::line_columns;

/// The rows of the oldest notices.
pub(crate) const DUE: &str = concat!(
    "SELECT ",
    line_columns!(),
    " FROM line_notices n JOIN transactions t ON t.id = n.txn_id ORDER BY n.queued_at_us, n.txn_id LIMIT $1"
);

/// How many wait.
pub(crate) const COUNT: &str = "SELECT COUNT(*) FROM line_notices";

/// The [`okpay_app::ports::NoticeStore`] implementation for `$store`; `$finish` removes a
/// round's notices and queues their mails in one transaction (written per backend).
macro_rules! impl_notice_store {
    ($store:ty, $finish:path) => {
        #[async_trait]
        impl NoticeStore for $store {
            async fn due_notices(&self, limit: u32) -> Result<Vec<StatementLine>, StorageError> {
                let rows: Vec<LineTuple> =
                    sqlx::query_as(q::DUE).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(app_error)?;
                rows.into_iter().map(records::line).collect()
            }

            async fn finish_notices(
                &self,
                done: &[NoticeDone],
                claimed_until_us: Option<i64>,
            ) -> Result<Vec<String>, StorageError> {
                if done.is_empty() {
                    return Ok(Vec::new());
                }
                $finish(self, done, claimed_until_us).await
            }

            async fn queued_notices(&self) -> Result<i64, StorageError> {
                let (n,): (i64,) = sqlx::query_as(q::COUNT).fetch_one(&self.pool).await.map_err(app_error)?;
                Ok(n)
            }
        }
    };
}
pub(crate) use impl_notice_store;
