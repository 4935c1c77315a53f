//! Events: what happened to a merchant's objects, stored once and delivered to its webhook.
//!
//! [`App::emit_event`] renders the payload once (`{"id","object","type","created_at",
//! "data":{"object"}}`) and stores it with a pending delivery in one transaction; the
//! [`super::worker`] sends those bytes, signed, and retries. Emitting never waits for the
//! merchant's server, so a slow or broken webhook cannot hold up the payment that caused it.

use okpay_domain::ids::IdKind;
use okpay_domain::ids::random_token;
use okpay_domain::time::{now_us, rfc3339};

use crate::error::{AppError, Code};
use crate::ports::{DeliveryRecord, EventRecord};
use crate::{App, Caller};

/// The event types OKPay emits (API.md §4).
pub const EVENT_TYPES: &[&str] = &["payment.succeeded", "payment.failed", "refund.succeeded"];

/// An event with its deliveries.
#[derive(Debug, Clone)]
pub struct EventWithDeliveries {
    /// The event.
    pub event: EventRecord,
    /// Its deliveries, oldest first, each with its attempts.
    pub deliveries: Vec<DeliveryRecord>,
}

/// A page of events.
#[derive(Debug, Clone)]
pub struct EventPage {
    /// Newest first.
    pub events: Vec<EventRecord>,
    /// Whether older events follow.
    pub has_more: bool,
}

/// A fresh delivery id (`whd_...`: not a public resource of its own, shown inside an event).
pub fn delivery_id() -> String {
    format!("whd_{}", &random_token(15)[..24])
}

/// The event row for `object` (rendered now; the bytes stored are the bytes sent).
pub fn compose(merchant_id: &str, kind: &str, object: &serde_json::Value) -> Result<EventRecord, AppError> {
    if !EVENT_TYPES.contains(&kind) {
        return Err(AppError::internal(format!("unknown event type {kind}")));
    }
    let id = IdKind::Event.random();
    let created_at_us = now_us();
    let payload = render(&id, kind, created_at_us, object)?;
    Ok(EventRecord { id, merchant_id: merchant_id.to_owned(), kind: kind.to_owned(), payload, created_at_us })
}

/// `{"id","object":"event","type","created_at","data":{"object"}}`, keys in that order.
pub fn render(id: &str, kind: &str, created_at_us: i64, object: &serde_json::Value) -> Result<String, AppError> {
    let s = |v: &str| serde_json::to_string(v).map_err(|e| AppError::internal(format!("event JSON: {e}")));
    let object = serde_json::to_string(object).map_err(|e| AppError::internal(format!("event JSON: {e}")))?;
    Ok(format!(
        "{{\"id\":{},\"object\":\"event\",\"type\":{},\"created_at\":{},\"data\":{{\"object\":{object}}}}}",
        s(id)?,
        s(kind)?,
        s(&rfc3339(created_at_us))?
    ))
}

impl App {
    /// Records that `kind` happened to `object` of merchant `merchant_id` and queues its
    /// webhook delivery (if the merchant has a URL); returns the event. Never waits for the
    /// delivery. Call it in the flow that caused the event, once that change is committed.
    pub async fn emit_event(
        &self,
        merchant_id: &str,
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<EventRecord, AppError> {
        let event = compose(merchant_id, kind, object)?;
        if self.store.insert_event(&event, &delivery_id()).await? {
            self.event_committed();
        }
        Ok(event)
    }

    /// The merchant's events, newest first.
    pub async fn list_events(
        &self,
        caller: &Caller,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<EventPage, AppError> {
        caller.require_business()?;
        let mut events = self
            .store
            .events(caller.id(), starting_after, limit.saturating_add(1))
            .await?
            .ok_or_else(|| AppError::new(Code::ResourceMissing).param("starting_after"))?;
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        Ok(EventPage { events, has_more })
    }

    /// One of the merchant's events with its deliveries.
    pub async fn get_event(&self, caller: &Caller, id: &str) -> Result<EventWithDeliveries, AppError> {
        caller.require_business()?;
        let event =
            self.store.event(caller.id(), id).await?.ok_or_else(|| AppError::new(Code::ResourceMissing).param("id"))?;
        let deliveries = self.store.deliveries(&event.id).await?;
        Ok(EventWithDeliveries { event, deliveries })
    }

    /// Queues one more delivery of the merchant's event to its current webhook URL.
    pub async fn resend_event(&self, caller: &Caller, id: &str) -> Result<EventWithDeliveries, AppError> {
        caller.require_business()?;
        let event =
            self.store.event(caller.id(), id).await?.ok_or_else(|| AppError::new(Code::ResourceMissing).param("id"))?;
        if !self.store.queue_delivery(caller.id(), &event.id, &delivery_id(), now_us()).await? {
            return Err(AppError::new(Code::WebhookNotConfigured));
        }
        self.webhook_wakeup.notify_one();
        let deliveries = self.store.deliveries(&event.id).await?;
        Ok(EventWithDeliveries { event, deliveries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_rendered_once_in_the_documented_shape() {
        let object = serde_json::json!({"id": "pay_1", "amount": 1050, "note": "a \"quoted\" 中文"});
        let text = render("evt_1", "payment.succeeded", 1_700_000_000_000_000, &object).unwrap_or_default();
        assert!(text.starts_with(r#"{"id":"evt_1","object":"event","type":"payment.succeeded","created_at":"#));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(v["data"]["object"], object);
        assert_eq!(v["created_at"], "2023-11-14T22:13:20Z");
    }

    #[test]
    fn unknown_types_are_refused() {
        assert!(compose("usr_1", "payment.exploded", &serde_json::json!({})).is_err());
        let e = compose("usr_1", "refund.succeeded", &serde_json::json!({"id": "re_1"}));
        assert!(e.is_ok_and(|e| e.id.starts_with("evt_") && e.payload.contains("re_1")));
        assert!(delivery_id().starts_with("whd_") && delivery_id().len() == 28);
    }
}
