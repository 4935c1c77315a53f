//! The `line_notices` queue's statements, shared by both backends except the removal (how a
//! list of ids is bound differs); the [`okpay_app::ports::NoticeStore`] implementation is
//! expanded in each backend's `notices` module.

use crate::records::line_columns;

/// The rows of the oldest notices.
pub(crate) const DUE: &str = concat!(
    "SELECT ",
    line_columns!(),
    " FROM line_notices n JOIN transactions t ON t.id = n.txn_id ORDER BY n.queued_at_us, n.txn_id LIMIT $1"
);

/// Removes a round's notices in one statement and names those it removed: a notice another
/// worker removed first is not mailed twice (SQLite: the ids as one JSON array).
pub(crate) const REMOVE_SQLITE: &str =
    "DELETE FROM line_notices WHERE txn_id IN (SELECT value FROM json_each($1)) RETURNING txn_id";

/// [`REMOVE_SQLITE`] on PostgreSQL (the ids as an array).
pub(crate) const REMOVE_PG: &str = "DELETE FROM line_notices WHERE txn_id = ANY($1::text[]) RETURNING txn_id";

/// How many wait.
pub(crate) const COUNT: &str = "SELECT COUNT(*) FROM line_notices";

/// The [`okpay_app::ports::NoticeStore`] implementation for `$store`.
/// `$remove` is the backend's removal statement and `$ids` turns `&[&str]` into its bind;
/// `$insert_mails` inserts a round's mails in one statement.
macro_rules! impl_notice_store {
    ($store:ty, $remove:expr, $ids:expr, $insert_mails:expr) => {
        #[async_trait]
        impl NoticeStore for $store {
            async fn due_notices(&self, limit: u32) -> Result<Vec<StatementLine>, StorageError> {
                let rows: Vec<LineTuple> =
                    sqlx::query_as(q::DUE).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(app_error)?;
                rows.into_iter().map(records::line).collect()
            }

            async fn finish_notices(&self, done: &[NoticeDone]) -> Result<usize, StorageError> {
                if done.is_empty() {
                    return Ok(0);
                }
                let ids: Vec<&str> = done.iter().map(|d| d.txn_id.as_str()).collect();
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let removed: Vec<String> =
                    sqlx::query_scalar($remove).bind(($ids)(&ids)?).fetch_all(&mut *tx).await.map_err(app_error)?;
                let removed: std::collections::HashSet<String> = removed.into_iter().collect();
                let mails: Vec<&OutboxMail> =
                    done.iter().filter(|d| removed.contains(&d.txn_id)).filter_map(|d| d.mail.as_ref()).collect();
                if !mails.is_empty() {
                    sqlx::query($insert_mails)
                        .bind(crate::outbox_rows::many(&mails)?)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                tx.commit().await.map_err(app_error)?;
                Ok(mails.len())
            }

            async fn queued_notices(&self) -> Result<i64, StorageError> {
                let (n,): (i64,) = sqlx::query_as(q::COUNT).fetch_one(&self.pool).await.map_err(app_error)?;
                Ok(n)
            }
        }
    };
}
pub(crate) use impl_notice_store;
