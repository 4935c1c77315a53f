//! The history range read on SQLite (the rest of [`okpay_app::ports::HistoryStore`] is shared,
//! crate::history): through the rusqlite readers, see [`super::reader`].

use okpay_app::ports::{HistoryFilter, HistoryPosition};
use okpay_ledger::{StatementLine, StorageError};

use super::SqliteStore;

impl SqliteStore {
    /// Up to `limit` of `owner`'s rows matching `filter`, newest first, strictly below `upper`.
    pub(crate) async fn lines_below(
        &self,
        owner: &str,
        filter: &HistoryFilter,
        upper: Option<HistoryPosition>,
        limit: u32,
    ) -> Result<Vec<StatementLine>, StorageError> {
        self.readers.lines(owner, filter, upper, limit).await
    }
}
