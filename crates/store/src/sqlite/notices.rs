//! [`NoticeStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{NoticeDone, NoticeStore, OutboxMail};
use okpay_ledger::{StatementLine, StorageError};

use super::SqliteStore;
use crate::error::app_error;
use crate::notice_sql::{self as q, impl_notice_store};
use crate::records::{self, LineTuple};

impl_notice_store!(
    SqliteStore,
    q::REMOVE_SQLITE,
    |ids: &[&str]| crate::rows::to_json(ids),
    crate::outbox_rows::INSERT_MANY_SQLITE
);
