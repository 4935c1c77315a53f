//! Row tuples of the merchant tables (API keys, settings, events, deliveries, attempts) and
//! their conversion into the records of [`okpay_app::ports`], shared by both backends.

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
