//! API keys and merchant settings: the same SQL on both backends, so one macro implements the
//! two ports for each store type (see [`crate::event_sql`] for events and deliveries).

/// Implements `ApiKeyStore` and `MerchantStore` for a store type with a `pool`.
macro_rules! merchant_stores {
    ($store:ty) => {
        use async_trait::async_trait;
        use okpay_app::ports::{ApiKeyRecord, ApiKeyStore, ApiKeyUser, MerchantSettings, MerchantStore};
        use okpay_ledger::StorageError;

        use crate::error::app_error;
        use crate::merchant_rows as sql;

        #[async_trait]
        impl ApiKeyStore for $store {
            async fn insert_api_key(&self, k: &ApiKeyRecord) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(
                    "INSERT INTO api_keys (id, merchant_id, secret_hash, last4, created_at_us, revoked_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&k.id)
                .bind(&k.merchant_id)
                .bind(&k.secret_hash)
                .bind(&k.last4)
                .bind(k.created_at_us)
                .bind(k.revoked_at_us)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn api_keys(&self, merchant_id: &str) -> Result<Vec<ApiKeyRecord>, StorageError> {
                let rows: Vec<sql::KeyTuple> = sqlx::query_as(
                    "SELECT id, merchant_id, secret_hash, last4, created_at_us, revoked_at_us FROM api_keys \
                     WHERE merchant_id = $1 ORDER BY created_at_us DESC, id DESC LIMIT 1000",
                )
                .bind(merchant_id)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(rows.into_iter().map(sql::key).collect())
            }

            async fn revoke_api_key(&self, merchant_id: &str, id: &str, now_us: i64) -> Result<bool, StorageError> {
                let turn = self.write_turn().await;
                let done = sqlx::query(
                    "UPDATE api_keys SET revoked_at_us = $3 WHERE merchant_id = $1 AND id = $2 \
                     AND revoked_at_us IS NULL",
                )
                .bind(merchant_id)
                .bind(id)
                .bind(now_us)
                .execute(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn api_key_user(&self, secret_hash: &str) -> Result<Option<ApiKeyUser>, StorageError> {
                let row: Option<sql::KeyUserTuple> = sqlx::query_as(
                    "SELECT k.id, u.id, u.email, u.name, u.account_type, u.status, u.email_verified, u.locale, \
                     u.password_hash, u.roles, u.kyc_level, u.created_at_us FROM api_keys k \
                     JOIN users u ON u.id = k.merchant_id WHERE k.secret_hash = $1 AND k.revoked_at_us IS NULL",
                )
                .bind(secret_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(sql::key_user))
            }
        }

        #[async_trait]
        impl MerchantStore for $store {
            async fn merchant_settings(&self, merchant_id: &str) -> Result<Option<MerchantSettings>, StorageError> {
                let row: Option<sql::SettingsTuple> = sqlx::query_as(
                    "SELECT merchant_id, accepted_payment_methods, webhook_url, webhook_secret, updated_at_us \
                     FROM merchant_settings WHERE merchant_id = $1",
                )
                .bind(merchant_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(sql::settings))
            }

            async fn save_merchant_settings(&self, s: &MerchantSettings) -> Result<MerchantSettings, StorageError> {
                let turn = self.write_turn().await;
                let row: sql::SettingsTuple = sqlx::query_as(
                    "INSERT INTO merchant_settings (merchant_id, accepted_payment_methods, webhook_url, \
                     webhook_secret, updated_at_us) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merchant_id) DO UPDATE \
                     SET accepted_payment_methods = excluded.accepted_payment_methods, \
                     webhook_url = excluded.webhook_url, \
                     webhook_secret = COALESCE(merchant_settings.webhook_secret, excluded.webhook_secret), \
                     updated_at_us = excluded.updated_at_us \
                     RETURNING merchant_id, accepted_payment_methods, webhook_url, webhook_secret, updated_at_us",
                )
                .bind(&s.merchant_id)
                .bind(s.accepted_payment_methods.join(" "))
                .bind(&s.webhook_url)
                .bind(&s.webhook_secret)
                .bind(s.updated_at_us)
                .fetch_one(&self.pool)
                .await
                .map_err(app_error)?;
                drop(turn);
                Ok(sql::settings(row))
            }
        }

    };
}
pub(crate) use merchant_stores;
