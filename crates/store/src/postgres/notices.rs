//! [`NoticeStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{NoticeDone, NoticeStore, OutboxMail};
use okpay_ledger::{StatementLine, StorageError};

use super::PgStore;
use crate::error::app_error;
use crate::notice_sql::{self as q, impl_notice_store};
use crate::records::{self, LineTuple};

/// Removes a round's notices in one statement and names those it removed: a notice another
/// worker removed first is not mailed twice.
const REMOVE: &str = "DELETE FROM line_notices WHERE txn_id = ANY($1::text[]) RETURNING txn_id";

/// Removes the round's notices (not none) and queues the mails of those this round removed,
/// in one transaction.
async fn finish(
    store: &PgStore,
    done: &[NoticeDone],
    claimed_until_us: Option<i64>,
) -> Result<Vec<String>, StorageError> {
    let ids: Vec<String> = done.iter().map(|d| d.txn_id.clone()).collect();
    let mut tx = store.pool.begin().await.map_err(app_error)?;
    let removed: Vec<String> = sqlx::query_scalar(REMOVE).bind(&ids).fetch_all(&mut *tx).await.map_err(app_error)?;
    let removed: std::collections::HashSet<String> = removed.into_iter().collect();
    let mails: Vec<&OutboxMail> =
        done.iter().filter(|d| removed.contains(&d.txn_id)).filter_map(|d| d.mail.as_ref()).collect();
    if !mails.is_empty() {
        sqlx::query(crate::outbox_rows::INSERT_MANY_PG)
            .bind(crate::outbox_rows::many(&mails)?)
            .bind(claimed_until_us)
            .execute(&mut *tx)
            .await
            .map_err(app_error)?;
    }
    tx.commit().await.map_err(app_error)?;
    Ok(mails.iter().map(|m| m.id.clone()).collect())
}

impl_notice_store!(PgStore, finish);
