//! [`WithdrawalStore`] on SQLite.

use async_trait::async_trait;
use okpay_app::ports::{WithdrawalRecord, WithdrawalStore, WithdrawalTransition};
use okpay_ledger::StorageError;

use super::SqliteStore;
use crate::account_sql::sqlite::insert_mail;
use crate::error::{app_error, corrupt};
use crate::withdrawal_sql::{self as q, WithdrawalRow, impl_withdrawal_store, record};

impl_withdrawal_store!(SqliteStore, q::CLAIM_SQLITE);
