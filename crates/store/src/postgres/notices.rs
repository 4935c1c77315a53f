//! [`NoticeStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{NoticeDone, NoticeStore, OutboxMail};
use okpay_ledger::{StatementLine, StorageError};

use super::PgStore;
use crate::error::app_error;
use crate::notice_sql::{self as q, impl_notice_store};
use crate::records::{self, LineTuple};

impl_notice_store!(
    PgStore,
    q::REMOVE_PG,
    |ids: &[&str]| Ok::<_, StorageError>(ids.iter().map(|id| (*id).to_owned()).collect::<Vec<String>>()),
    crate::outbox_rows::INSERT_MANY_PG
);
