//! API keys, merchant settings, events and webhook deliveries: the same SQL on both backends,
//! so one macro implements the three ports for each store type. Only the claim differs:
//! PostgreSQL adds `FOR UPDATE SKIP LOCKED` (concurrent workers of several processes claim
//! disjoint rows without waiting); SQLite has one writer at a time, so its claiming `UPDATE` is
//! atomic on its own.

use okpay_app::ports::{ApiKeyRecord, AttemptRecord, DeliveryRecord, EventRecord, MerchantSettings};

use crate::records::{UserTuple, user};

/// Longest error text kept per attempt.
pub(crate) const MAX_ERROR_CHARS: usize = 500;

/// Most deliveries shown with one event (re-sends add more).
pub(crate) const MAX_DELIVERIES_SHOWN: i64 = 100;

/// An `api_keys` row.
pub(crate) type KeyTuple = (String, String, String, String, i64, Option<i64>);

/// Decodes an `api_keys` row.
pub(crate) fn key(t: KeyTuple) -> ApiKeyRecord {
    let (id, merchant_id, secret_hash, last4, created_at_us, revoked_at_us) = t;
    ApiKeyRecord { id, merchant_id, secret_hash, last4, created_at_us, revoked_at_us }
}

/// A key's id with its merchant.
pub(crate) type KeyUserTuple = (String, String, String, String, String, String, bool, String, String, String, i64, i64);

/// Decodes a key joined with its merchant.
pub(crate) fn key_user(t: KeyUserTuple) -> okpay_app::ports::ApiKeyUser {
    let (key_id, id, email, name, account_type, status, verified, locale, hash, roles, kyc, at) = t;
    let user_row: UserTuple = (id, email, name, account_type, status, verified, locale, hash, roles, kyc, at);
    okpay_app::ports::ApiKeyUser { key_id, user: user(user_row) }
}

/// A `merchant_settings` row.
pub(crate) type SettingsTuple = (String, String, Option<String>, Option<String>, i64);

/// Decodes a `merchant_settings` row.
pub(crate) fn settings(t: SettingsTuple) -> MerchantSettings {
    let (merchant_id, methods, webhook_url, webhook_secret, updated_at_us) = t;
    MerchantSettings {
        merchant_id,
        accepted_payment_methods: methods.split_whitespace().map(str::to_owned).collect(),
        webhook_url,
        webhook_secret,
        updated_at_us,
    }
}

/// An `events` row.
pub(crate) type EventTuple = (String, String, String, String, i64);

/// Decodes an `events` row.
pub(crate) fn event(t: EventTuple) -> EventRecord {
    let (id, merchant_id, kind, payload, created_at_us) = t;
    EventRecord { id, merchant_id, kind, payload, created_at_us }
}

/// A `webhook_deliveries` row.
pub(crate) type DeliveryTuple = (String, String, String, String, i64, i64, i64, Option<i64>);

/// Decodes a `webhook_deliveries` row (its log is filled in afterwards).
pub(crate) fn delivery(t: DeliveryTuple) -> DeliveryRecord {
    let (id, event_id, url, status, attempts, next_attempt_at_us, created_at_us, done_at_us) = t;
    DeliveryRecord { id, event_id, url, status, attempts, next_attempt_at_us, created_at_us, done_at_us, log: vec![] }
}

/// A `webhook_attempts` row with its delivery id.
pub(crate) type AttemptTuple = (String, i64, i64, Option<i64>, Option<String>, i64);

/// Puts each attempt into its delivery's log (rows ordered by delivery, attempt).
pub(crate) fn attach(deliveries: &mut [DeliveryRecord], attempts: Vec<AttemptTuple>) {
    for (delivery_id, attempt, at_us, http_status, error, duration_ms) in attempts {
        if let Some(d) = deliveries.iter_mut().find(|d| d.id == delivery_id) {
            d.log.push(AttemptRecord { attempt, at_us, http_status, error, duration_ms });
        }
    }
}

/// An error message cut to [`MAX_ERROR_CHARS`].
pub(crate) fn short(error: Option<&str>) -> Option<String> {
    error.map(|e| e.chars().take(MAX_ERROR_CHARS).collect())
}

/// `INSERT` of a pending delivery of event `$2` to merchant `$4`'s webhook URL, due at `$3`;
/// inserts nothing when the merchant has no URL.
pub(crate) const QUEUE_DELIVERY: &str = "INSERT INTO webhook_deliveries (id, event_id, url, status, attempts, \
     next_attempt_at_us, created_at_us) SELECT $1, $2, webhook_url, 'pending', 0, $3, $3 FROM merchant_settings \
     WHERE merchant_id = $4 AND webhook_url IS NOT NULL";

/// Implements `ApiKeyStore`, `MerchantStore` and `EventStore` for a store type with a `pool`;
/// `$lock` is appended to the claim's row selection.
macro_rules! merchant_stores {
    ($store:ty, $lock:literal) => {
        use async_trait::async_trait;
        use okpay_app::ports::{
            ApiKeyRecord, ApiKeyStore, ApiKeyUser, AttemptOutcome, AttemptRecord, ClaimedDelivery, DeliveryCounts,
            DeliveryRecord, EventRecord, EventStore, MerchantSettings, MerchantStore,
        };
        use okpay_ledger::StorageError;

        use crate::error::app_error;
        use crate::merchant_sql as sql;

        #[async_trait]
        impl ApiKeyStore for $store {
            async fn insert_api_key(&self, k: &ApiKeyRecord) -> Result<(), StorageError> {
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
                Ok(sql::settings(row))
            }
        }

        #[async_trait]
        impl EventStore for $store {
            async fn insert_event(&self, e: &EventRecord, delivery_id: &str) -> Result<bool, StorageError> {
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                sqlx::query(
                    "INSERT INTO events (id, merchant_id, kind, payload, created_at_us) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&e.id)
                .bind(&e.merchant_id)
                .bind(&e.kind)
                .bind(&e.payload)
                .bind(e.created_at_us)
                .execute(&mut *tx)
                .await
                .map_err(app_error)?;
                let queued = sqlx::query(sql::QUEUE_DELIVERY)
                    .bind(delivery_id)
                    .bind(&e.id)
                    .bind(e.created_at_us)
                    .bind(&e.merchant_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(app_error)?;
                tx.commit().await.map_err(app_error)?;
                Ok(queued.rows_affected() == 1)
            }

            async fn events(
                &self,
                merchant_id: &str,
                starting_after: Option<&str>,
                limit: u32,
            ) -> Result<Option<Vec<EventRecord>>, StorageError> {
                let before_seq = match starting_after {
                    None => i64::MAX,
                    Some(id) => {
                        let seq: Option<(i64,)> =
                            sqlx::query_as("SELECT seq FROM events WHERE merchant_id = $1 AND id = $2")
                                .bind(merchant_id)
                                .bind(id)
                                .fetch_optional(&self.pool)
                                .await
                                .map_err(app_error)?;
                        match seq {
                            Some((seq,)) => seq,
                            None => return Ok(None),
                        }
                    }
                };
                let rows: Vec<sql::EventTuple> = sqlx::query_as(
                    "SELECT id, merchant_id, kind, payload, created_at_us FROM events \
                     WHERE merchant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                )
                .bind(merchant_id)
                .bind(before_seq)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(Some(rows.into_iter().map(sql::event).collect()))
            }

            async fn event(&self, merchant_id: &str, id: &str) -> Result<Option<EventRecord>, StorageError> {
                let row: Option<sql::EventTuple> = sqlx::query_as(
                    "SELECT id, merchant_id, kind, payload, created_at_us FROM events \
                     WHERE merchant_id = $1 AND id = $2",
                )
                .bind(merchant_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(sql::event))
            }

            async fn deliveries(&self, event_id: &str) -> Result<Vec<DeliveryRecord>, StorageError> {
                let rows: Vec<sql::DeliveryTuple> = sqlx::query_as(
                    "SELECT id, event_id, url, status, attempts, next_attempt_at_us, created_at_us, done_at_us \
                     FROM webhook_deliveries WHERE event_id = $1 ORDER BY created_at_us, id LIMIT $2",
                )
                .bind(event_id)
                .bind(sql::MAX_DELIVERIES_SHOWN)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                let mut deliveries: Vec<DeliveryRecord> = rows.into_iter().map(sql::delivery).collect();
                let attempts: Vec<sql::AttemptTuple> = sqlx::query_as(
                    "SELECT a.delivery_id, a.attempt, a.at_us, a.http_status, a.error, a.duration_ms \
                     FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
                     WHERE d.event_id = $1 ORDER BY a.delivery_id, a.attempt",
                )
                .bind(event_id)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                sql::attach(&mut deliveries, attempts);
                Ok(deliveries)
            }

            async fn queue_delivery(
                &self,
                merchant_id: &str,
                event_id: &str,
                delivery_id: &str,
                now_us: i64,
            ) -> Result<bool, StorageError> {
                let done = sqlx::query(sql::QUEUE_DELIVERY)
                    .bind(delivery_id)
                    .bind(event_id)
                    .bind(now_us)
                    .bind(merchant_id)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                Ok(done.rows_affected() == 1)
            }

            async fn claim_deliveries(
                &self,
                now_us: i64,
                lease_until_us: i64,
                limit: u32,
            ) -> Result<Vec<ClaimedDelivery>, StorageError> {
                let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(concat!(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at_us = $2 WHERE id IN (",
                    "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at_us <= $1 ",
                    "ORDER BY next_attempt_at_us, id LIMIT $3",
                    $lock,
                    ") RETURNING id, event_id, url, attempts, created_at_us"
                ))
                .bind(now_us)
                .bind(lease_until_us)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                let mut claimed = Vec::with_capacity(rows.len());
                for (id, event_id, url, attempts, created_at_us) in rows {
                    // The payload never changes; the secret is read now so a rotation applies.
                    let (payload, secret): (String, Option<String>) = sqlx::query_as(
                        "SELECT e.payload, m.webhook_secret FROM events e \
                         LEFT JOIN merchant_settings m ON m.merchant_id = e.merchant_id WHERE e.id = $1",
                    )
                    .bind(&event_id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(app_error)?;
                    claimed.push(ClaimedDelivery { id, event_id, url, attempts, created_at_us, payload, secret });
                }
                Ok(claimed)
            }

            async fn record_attempt(
                &self,
                delivery_id: &str,
                a: &AttemptRecord,
                outcome: AttemptOutcome,
            ) -> Result<(), StorageError> {
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                sqlx::query(
                    "INSERT INTO webhook_attempts (delivery_id, attempt, at_us, http_status, error, duration_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, attempt) DO NOTHING",
                )
                .bind(delivery_id)
                .bind(a.attempt)
                .bind(a.at_us)
                .bind(a.http_status)
                .bind(sql::short(a.error.as_deref()))
                .bind(a.duration_ms)
                .execute(&mut *tx)
                .await
                .map_err(app_error)?;
                let done_at = a.at_us.saturating_add(a.duration_ms.saturating_mul(1000));
                let update = match outcome {
                    AttemptOutcome::Succeeded => sqlx::query(
                        "UPDATE webhook_deliveries SET status = 'succeeded', done_at_us = $2 \
                         WHERE id = $1 AND status = 'pending'",
                    )
                    .bind(delivery_id)
                    .bind(done_at),
                    AttemptOutcome::Failed => sqlx::query(
                        "UPDATE webhook_deliveries SET status = 'failed', done_at_us = $2 \
                         WHERE id = $1 AND status = 'pending'",
                    )
                    .bind(delivery_id)
                    .bind(done_at),
                    // Only while no other worker claimed it again after this attempt's lease.
                    AttemptOutcome::RetryAt(next) => sqlx::query(
                        "UPDATE webhook_deliveries SET next_attempt_at_us = $2 \
                         WHERE id = $1 AND status = 'pending' AND attempts = $3",
                    )
                    .bind(delivery_id)
                    .bind(next)
                    .bind(a.attempt),
                };
                update.execute(&mut *tx).await.map_err(app_error)?;
                tx.commit().await.map_err(app_error)?;
                Ok(())
            }

            async fn delivery_counts(&self) -> Result<DeliveryCounts, StorageError> {
                let (pending, failed): (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(*) FILTER (WHERE status = 'pending'), \
                     COUNT(*) FILTER (WHERE status = 'failed') FROM webhook_deliveries",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(DeliveryCounts { pending, failed })
            }
        }
    };
}
pub(crate) use merchant_stores;
