//! Ports of merchants: API keys, merchant settings, events and their webhook deliveries.
//! Re-exported from [`crate::ports`].

use async_trait::async_trait;
use okpay_ledger::StorageError;

use super::UserRecord;

/// A stored API key. The secret itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// `key_...`
    pub id: String,
    /// The business user it authenticates as.
    pub merchant_id: String,
    /// SHA-256 hex of the `sk_...` secret.
    pub secret_hash: String,
    /// The secret's last four characters, so a merchant can tell keys apart.
    pub last4: String,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// When it was revoked, µs; `None` while it works.
    pub revoked_at_us: Option<i64>,
}

/// A merchant's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSettings {
    /// The business user.
    pub merchant_id: String,
    /// `wallet`, `card` (in that order when both).
    pub accepted_payment_methods: Vec<String>,
    /// Where events are POSTed; `None`: no webhooks.
    pub webhook_url: Option<String>,
    /// The HMAC key of `OKPay-Signature` (`whsec_...`), set when a URL is first set and kept.
    pub webhook_secret: Option<String>,
    /// µs since the epoch.
    pub updated_at_us: i64,
}

/// An event to store in the same transaction as the change it reports, with the id its
/// delivery gets if the merchant has a webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The event.
    pub record: EventRecord,
    /// `whd_...`
    pub delivery_id: String,
}

/// An event as stored: its payload was rendered once and is sent byte-for-byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// `evt_...`
    pub id: String,
    /// The business user it belongs to.
    pub merchant_id: String,
    /// `payment.succeeded`, ...
    pub kind: String,
    /// `{"id","object","type","created_at","data":{"object"}}` as sent to the webhook.
    pub payload: String,
    /// µs since the epoch.
    pub created_at_us: i64,
}

/// The state of one delivery of an event to a webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// `whd_...`
    pub id: String,
    /// The event delivered.
    pub event_id: String,
    /// The URL it goes to (the merchant's URL when it was queued).
    pub url: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts so far (a claim counts as one).
    pub attempts: i64,
    /// When the next attempt is due (or the current lease ends), µs.
    pub next_attempt_at_us: i64,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// When it succeeded or was given up, µs.
    pub done_at_us: Option<i64>,
    /// Each attempt, oldest first.
    pub log: Vec<AttemptRecord>,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// 1 for the first attempt.
    pub attempt: i64,
    /// When it started, µs.
    pub at_us: i64,
    /// The answer's HTTP status; `None` when there was no answer.
    pub http_status: Option<i64>,
    /// Why it failed (no answer, non-2xx), cut to 500 characters.
    pub error: Option<String>,
    /// How long it took, ms.
    pub duration_ms: i64,
}

/// A delivery claimed by a worker, with what it needs to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// `whd_...`
    pub id: String,
    /// The event.
    pub event_id: String,
    /// Where to POST.
    pub url: String,
    /// This attempt's number (the claim counted it).
    pub attempts: i64,
    /// When the delivery was queued, µs (retries stop a configured time after it).
    pub created_at_us: i64,
    /// The body to send, byte-for-byte.
    pub payload: String,
    /// The merchant's signing secret (`None` if it was removed: the attempt fails).
    pub secret: Option<String>,
}

/// What to record after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A 2xx answer: done.
    Succeeded,
    /// Try again at this time, µs.
    RetryAt(i64),
    /// Give up: `failed`.
    Failed,
}

/// How many deliveries wait and how many gave up, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Not yet delivered, still being tried.
    pub pending: i64,
    /// Given up.
    pub failed: i64,
}

/// An API key with its merchant, as authentication reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyUser {
    /// `key_...`
    pub key_id: String,
    /// The merchant.
    pub user: UserRecord,
}

/// API keys.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Inserts a key.
    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<(), StorageError>;
    /// The merchant's keys (revoked ones too), newest first.
    async fn api_keys(&self, merchant_id: &str) -> Result<Vec<ApiKeyRecord>, StorageError>;
    /// Revokes the merchant's key `id`; `false` if it is not theirs or already revoked.
    async fn revoke_api_key(&self, merchant_id: &str, id: &str, now_us: i64) -> Result<bool, StorageError>;
    /// The unrevoked key with this secret hash and its merchant, in one query.
    async fn api_key_user(&self, secret_hash: &str) -> Result<Option<ApiKeyUser>, StorageError>;
}

/// Merchant settings.
#[async_trait]
pub trait MerchantStore: Send + Sync {
    /// The merchant's settings, if ever saved.
    async fn merchant_settings(&self, merchant_id: &str) -> Result<Option<MerchantSettings>, StorageError>;
    /// Inserts or replaces the settings, except that a webhook secret already stored is kept
    /// (so two concurrent first saves agree on one). Returns the settings as stored.
    async fn save_merchant_settings(&self, s: &MerchantSettings) -> Result<MerchantSettings, StorageError>;
}

/// Events and the durable queue of their webhook deliveries. Several processes may deliver
/// from one database: a claim leases rows so no two workers send the same delivery at once.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Inserts an event and, in the same transaction, a pending delivery `delivery_id` due at
    /// the event's time if the merchant has a webhook URL. Returns whether a delivery was queued.
    async fn insert_event(&self, event: &EventRecord, delivery_id: &str) -> Result<bool, StorageError>;
    /// The merchant's events, newest first, after the event `starting_after` if given; at
    /// most `limit`. `None` if `starting_after` is not one of the merchant's events.
    async fn events(
        &self,
        merchant_id: &str,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Option<Vec<EventRecord>>, StorageError>;
    /// One of the merchant's events.
    async fn event(&self, merchant_id: &str, id: &str) -> Result<Option<EventRecord>, StorageError>;
    /// The event's deliveries, oldest first, each with its attempt log.
    async fn deliveries(&self, event_id: &str) -> Result<Vec<DeliveryRecord>, StorageError>;
    /// Queues another delivery of the merchant's event to the merchant's current webhook URL,
    /// due at `now_us`. `false` if the merchant has no webhook URL (nothing written).
    async fn queue_delivery(
        &self,
        merchant_id: &str,
        event_id: &str,
        delivery_id: &str,
        now_us: i64,
    ) -> Result<bool, StorageError>;
    /// Claims up to `limit` pending deliveries due at `now_us`: counts an attempt and leases
    /// each until `lease_until_us`.
    async fn claim_deliveries(
        &self,
        now_us: i64,
        lease_until_us: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StorageError>;
    /// Appends `attempt` to the delivery's log and applies `outcome`, in one transaction. A
    /// delivery that is no longer pending keeps its state (a late worker cannot undo a result).
    async fn record_attempt(
        &self,
        delivery_id: &str,
        attempt: &AttemptRecord,
        outcome: AttemptOutcome,
    ) -> Result<(), StorageError>;
    /// Pending and failed deliveries.
    async fn delivery_counts(&self) -> Result<DeliveryCounts, StorageError>;
}
