//! [`PaymentMethodStore`] for both backends: the statements are the same text on SQLite and
//! PostgreSQL, so one implementation is generated for each store type.

use async_trait::async_trait;
use okpay_app::ports::{PaymentMethodRecord, PaymentMethodStore};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::records::{self, PaymentMethodTuple, payment_method_columns};
use crate::sqlite::SqliteStore;

/// The [`PaymentMethodStore`] implementation for `$store`.
macro_rules! impl_payment_method_store {
    ($store:ty) => {
        #[async_trait]
        impl PaymentMethodStore for $store {
            async fn insert_payment_method(&self, pm: &PaymentMethodRecord) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(concat!(
                    "INSERT INTO payment_methods (",
                    payment_method_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                ))
                .bind(&pm.id)
                .bind(&pm.user_id)
                .bind(&pm.kind)
                .bind(&pm.brand)
                .bind(&pm.last4)
                .bind(pm.exp_month)
                .bind(pm.exp_year)
                .bind(&pm.holder_name)
                .bind(&pm.bank_name)
                .bind(&pm.country)
                .bind(&pm.rail_token)
                .bind(pm.created_at_us)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn payment_method(
                &self,
                user_id: &str,
                id: &str,
            ) -> Result<Option<PaymentMethodRecord>, StorageError> {
                let row: Option<PaymentMethodTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    payment_method_columns!(),
                    " FROM payment_methods WHERE id = $1 AND user_id = $2"
                ))
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(records::payment_method))
            }

            async fn payment_methods(&self, user_id: &str) -> Result<Vec<PaymentMethodRecord>, StorageError> {
                let rows: Vec<PaymentMethodTuple> = sqlx::query_as(concat!(
                    "SELECT ",
                    payment_method_columns!(),
                    " FROM payment_methods WHERE user_id = $1 ORDER BY created_at_us DESC, id DESC"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(rows.into_iter().map(records::payment_method).collect())
            }
        }
    };
}

impl_payment_method_store!(SqliteStore);
impl_payment_method_store!(PgStore);
