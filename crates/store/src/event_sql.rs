//! Events and webhook deliveries: the same SQL on both backends, so one macro implements
//! `EventStore` for each store type. Only the claim differs: PostgreSQL adds `FOR UPDATE SKIP
//! LOCKED` (concurrent workers of several processes claim disjoint rows without waiting);
//! SQLite has one writer at a time, so its claiming `UPDATE` is atomic on its own.

/// `INSERT` of a pending delivery of event `$2` to merchant `$4`'s webhook URL, due at `$3`;
/// inserts nothing when the merchant has no URL.
pub(crate) const QUEUE_DELIVERY: &str = "INSERT INTO webhook_deliveries (id, event_id, url, status, attempts, \
     next_attempt_at_us, created_at_us) SELECT $1, $2, webhook_url, 'pending', 0, $3, $3 FROM merchant_settings \
     WHERE merchant_id = $4 AND webhook_url IS NOT NULL";

/// `INSERT` of an event.
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events (id, merchant_id, kind, payload, created_at_us) VALUES ($1, $2, $3, $4, $5)";

/// Inserts event `$e` (`&EventRecord`) and its delivery `$delivery_id` inside the open
/// transaction `$tx`; evaluates to whether a delivery was queued (the merchant has a webhook
/// URL). Both backends and every store that records events with a state change use it.
macro_rules! insert_event_in {
    ($tx:expr, $e:expr, $delivery_id:expr) => {{
        let e: &okpay_app::ports::EventRecord = $e;
        sqlx::query(crate::event_sql::INSERT_EVENT)
            .bind(&e.id)
            .bind(&e.merchant_id)
            .bind(&e.kind)
            .bind(&e.payload)
            .bind(e.created_at_us)
            .execute(&mut *$tx)
            .await
            .map_err(crate::error::app_error)?;
        let queued = sqlx::query(crate::event_sql::QUEUE_DELIVERY)
            .bind($delivery_id)
            .bind(&e.id)
            .bind(e.created_at_us)
            .bind(&e.merchant_id)
            .execute(&mut *$tx)
            .await
            .map_err(crate::error::app_error)?;
        queued.rows_affected() == 1
    }};
}
pub(crate) use insert_event_in;

/// Implements `EventStore` for a store type with a `pool`; `$lock` is appended to the claim's
/// row selection.
macro_rules! event_store {
    ($store:ty, $lock:literal) => {
        use async_trait::async_trait;
        use okpay_app::ports::{
            AttemptOutcome, AttemptRecord, ClaimedDelivery, DeliveryCounts, DeliveryRecord, EventRecord, EventStore,
        };

        use okpay_ledger::StorageError;

        use crate::error::app_error;
        use crate::merchant_rows as decode;

        #[async_trait]
        impl EventStore for $store {
            async fn insert_event(&self, e: &EventRecord, delivery_id: &str) -> Result<bool, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let queued = crate::event_sql::insert_event_in!(tx, e, delivery_id);
                tx.commit().await.map_err(app_error)?;
                Ok(queued)
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
                let rows: Vec<decode::EventTuple> = sqlx::query_as(
                    "SELECT id, merchant_id, kind, payload, created_at_us FROM events \
                     WHERE merchant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                )
                .bind(merchant_id)
                .bind(before_seq)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(Some(rows.into_iter().map(decode::event).collect()))
            }

            async fn event(&self, merchant_id: &str, id: &str) -> Result<Option<EventRecord>, StorageError> {
                let row: Option<decode::EventTuple> = sqlx::query_as(
                    "SELECT id, merchant_id, kind, payload, created_at_us FROM events \
                     WHERE merchant_id = $1 AND id = $2",
                )
                .bind(merchant_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(app_error)?;
                Ok(row.map(decode::event))
            }

            async fn deliveries(&self, event_id: &str) -> Result<Vec<DeliveryRecord>, StorageError> {
                let rows: Vec<decode::DeliveryTuple> = sqlx::query_as(
                    "SELECT id, event_id, url, status, attempts, next_attempt_at_us, created_at_us, done_at_us \
                     FROM webhook_deliveries WHERE event_id = $1 ORDER BY created_at_us, id LIMIT $2",
                )
                .bind(event_id)
                .bind(decode::MAX_DELIVERIES_SHOWN)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                let mut deliveries: Vec<DeliveryRecord> = rows.into_iter().map(decode::delivery).collect();
                let attempts: Vec<decode::AttemptTuple> = sqlx::query_as(
                    "SELECT a.delivery_id, a.attempt, a.at_us, a.http_status, a.error, a.duration_ms \
                     FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
                     WHERE d.event_id = $1 ORDER BY a.delivery_id, a.attempt",
                )
                .bind(event_id)
                .fetch_all(&self.pool)
                .await
                .map_err(app_error)?;
                decode::attach(&mut deliveries, attempts);
                Ok(deliveries)
            }

            async fn queue_delivery(
                &self,
                merchant_id: &str,
                event_id: &str,
                delivery_id: &str,
                now_us: i64,
            ) -> Result<bool, StorageError> {
                let turn = self.write_turn().await;
                let done = sqlx::query(crate::event_sql::QUEUE_DELIVERY)
                    .bind(delivery_id)
                    .bind(event_id)
                    .bind(now_us)
                    .bind(merchant_id)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(done.rows_affected() == 1)
            }

            async fn claim_deliveries(
                &self,
                now_us: i64,
                lease_until_us: i64,
                limit: u32,
            ) -> Result<Vec<ClaimedDelivery>, StorageError> {
                let turn = self.write_turn().await;
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
                drop(turn);
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
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                sqlx::query(
                    "INSERT INTO webhook_attempts (delivery_id, attempt, at_us, http_status, error, duration_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, attempt) DO NOTHING",
                )
                .bind(delivery_id)
                .bind(a.attempt)
                .bind(a.at_us)
                .bind(a.http_status)
                .bind(decode::short(a.error.as_deref()))
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
pub(crate) use event_store;
