//! [`WithdrawalStore`] on PostgreSQL.

use async_trait::async_trait;
use okpay_app::ports::{WithdrawalRecord, WithdrawalStore, WithdrawalTransition};
use okpay_ledger::StorageError;

use super::PgStore;
use crate::account_sql::postgres::insert_mail;
use crate::error::{app_error, corrupt};
use crate::withdrawal_sql::{self as q, WithdrawalRow, impl_withdrawal_store, record};

impl_withdrawal_store!(PgStore, q::CLAIM_POSTGRES);
