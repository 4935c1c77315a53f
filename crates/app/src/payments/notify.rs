//! What a payment or a refund tells people: the payer's emails and the merchant's events, both
//! stored by the store in the same transaction as the state change they report, so a crash can
//! never record the change without them (or them without the change).

use okpay_mail::Template;
use serde::Serialize;

use crate::App;
use crate::outbox::compose;
use crate::ports::{NewEvent, OutboxMail, PaymentMethodRecord, PaymentRecord, UserRecord};
use crate::webhooks::events::{compose as compose_event, delivery_id};

/// How a user is named to the other party (their name, else their email).
pub fn label(u: &UserRecord) -> String {
    if u.name.trim().is_empty() { u.email.clone() } else { u.name.clone() }
}

/// A card as its owner knows it (`Visa ****4242`).
pub fn card_label(pm: &PaymentMethodRecord) -> String {
    format!("{} ****{}", pm.brand.as_deref().unwrap_or("card"), pm.last4)
}

impl App {
    /// The payer's receipt.
    pub(crate) fn receipt_mail(
        &self,
        payer: &UserRecord,
        merchant: &str,
        p: &PaymentRecord,
        card: Option<String>,
    ) -> OutboxMail {
        let template = Template::PaymentSucceeded {
            amount: p.currency.format(p.amount_minor),
            merchant: merchant.to_owned(),
            card,
            history_url: self.link("/help/articles/transaction-history"),
        };
        compose(&payer.email, &payer.locale, &payer.name, &template)
    }

    /// The payer's notice of a refund.
    pub(crate) fn refund_mail(
        &self,
        payer: &UserRecord,
        merchant: &str,
        p: &PaymentRecord,
        amount_minor: i64,
        card: Option<String>,
    ) -> OutboxMail {
        let template = Template::PaymentRefunded {
            amount: p.currency.format(amount_minor),
            merchant: merchant.to_owned(),
            card,
            history_url: self.link("/help/articles/transaction-history"),
        };
        compose(&payer.email, &payer.locale, &payer.name, &template)
    }

    /// The merchant's event `kind` about `object`, to store in the same transaction as the
    /// change it reports. `None` (logged) if it cannot be rendered: the money has moved already
    /// and the change must still be recorded.
    pub(crate) fn new_event(&self, merchant_id: &str, kind: &str, object: &impl Serialize) -> Option<NewEvent> {
        let composed = serde_json::to_value(object)
            .map_err(|e| crate::AppError::internal(format!("event object: {e}")))
            .and_then(|value| compose_event(merchant_id, kind, &value));
        match composed {
            Ok(record) => Some(NewEvent { record, delivery_id: delivery_id() }),
            Err(e) => {
                tracing::error!(merchant = %merchant_id, kind, error = %e, "could not render an event");
                None
            }
        }
    }

    /// After a store call committed `event`: wakes the webhook worker and counts it.
    pub(crate) fn event_stored(&self, event: Option<&NewEvent>) {
        if event.is_some() {
            self.event_committed();
        }
    }

    /// After an event committed (by any path): wakes the webhook worker and counts it.
    pub(crate) fn event_committed(&self) {
        self.webhook_wakeup.notify_one();
        metrics::counter!("okpay_events_total").increment(1);
    }
}
