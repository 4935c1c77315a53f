//! The after-money commit on PostgreSQL: a batch of idempotent responses and risk flags in one
//! transaction, one statement for each kind (arrays bound per column).

use okpay_app::ports::{FlagRecord, KeyedResponse};
use okpay_ledger::StorageError;

use super::{PgStore, idempotency};
use crate::error::app_error;

/// Stores `responses` and `flags` (not both empty) in one transaction: all of them or none.
pub(crate) async fn store(
    store: &PgStore,
    responses: &[KeyedResponse],
    flags: &[FlagRecord],
) -> Result<(), StorageError> {
    let mut tx = store.pool.begin().await.map_err(app_error)?;
    if !responses.is_empty() {
        idempotency::insert_responses(&mut *tx, responses).await?;
    }
    if !flags.is_empty() {
        crate::risk_sql::add_flags_pg(&mut *tx, flags).await?;
    }
    tx.commit().await.map_err(app_error)
}
