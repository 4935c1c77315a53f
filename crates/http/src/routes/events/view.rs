//! JSON shapes of events and their deliveries.

use okpay_app::ports::{AttemptRecord, DeliveryRecord, EventRecord};
use okpay_app::webhooks::events::EventWithDeliveries;
use okpay_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// An event: the payload its webhook carries, plus its deliveries when one event is asked for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// `evt_...`
    pub id: String,
    /// Always `event`.
    pub object: String,
    /// `payment.succeeded`, `payment.failed`, `refund.succeeded`.
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339.
    pub created_at: String,
    /// `{"object": ...}`: the object as it was when the event happened.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// Each delivery to the webhook URL, oldest first (one event only).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Vec<DeliveryView>>,
}

impl EventView {
    /// The view of a stored event (its payload, parsed).
    pub fn from_record(e: &EventRecord) -> Result<EventView, ApiError> {
        serde_json::from_str(&e.payload)
            .map_err(|err| ApiError(okpay_app::AppError::internal(format!("stored event {}: {err}", e.id))))
    }

    /// The view of an event with its deliveries.
    pub fn with_deliveries(e: &EventWithDeliveries) -> Result<EventView, ApiError> {
        let mut view = EventView::from_record(&e.event)?;
        view.deliveries = Some(e.deliveries.iter().map(DeliveryView::from).collect());
        Ok(view)
    }
}

/// One delivery of an event to a webhook URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `whd_...`
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: &'static str,
    /// The URL it goes to.
    pub url: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// RFC 3339: the next attempt, while `pending`.
    pub next_attempt_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when it succeeded or was given up.
    pub completed_at: Option<String>,
    /// Every attempt, oldest first.
    pub log: Vec<AttemptView>,
}

impl From<&DeliveryRecord> for DeliveryView {
    fn from(d: &DeliveryRecord) -> Self {
        DeliveryView {
            id: d.id.clone(),
            object: "webhook_delivery",
            url: d.url.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt_at: (d.status == "pending").then(|| rfc3339(d.next_attempt_at_us)),
            created_at: rfc3339(d.created_at_us),
            completed_at: d.done_at_us.map(rfc3339),
            log: d.log.iter().map(AttemptView::from).collect(),
        }
    }
}

/// One HTTP attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first.
    pub attempt: i64,
    /// RFC 3339: when it started.
    pub at: String,
    /// The answer's status; `null` when there was no answer (timeout, refused connection).
    pub http_status: Option<i64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// How long it took, ms.
    pub duration_ms: i64,
}

impl From<&AttemptRecord> for AttemptView {
    fn from(a: &AttemptRecord) -> Self {
        AttemptView {
            attempt: a.attempt,
            at: rfc3339(a.at_us),
            http_status: a.http_status,
            error: a.error.clone(),
            duration_ms: a.duration_ms,
        }
    }
}
