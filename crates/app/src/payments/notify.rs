//! What a payment or a refund tells people: the payer's emails (queued by the store in the
//! same transaction as the state change) and the merchant's events (emitted once the money is
//! committed; a failure to record one is logged and never fails the payment).

use okpay_mail::Template;
use serde::Serialize;

use crate::App;
use crate::outbox::compose;
use crate::ports::{OutboxMail, PaymentMethodRecord, PaymentRecord, UserRecord};

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

    /// Emits `kind` about `object` to the merchant; logs instead of failing (the money has
    /// moved already, and the answer to the payer must say so).
    pub(crate) async fn emit_quietly(&self, merchant_id: &str, kind: &str, object: &impl Serialize) {
        let result = match serde_json::to_value(object) {
            Ok(value) => self.emit_event(merchant_id, kind, &value).await.map(|_| ()),
            Err(e) => Err(crate::AppError::internal(format!("event object: {e}"))),
        };
        if let Err(e) = result {
            tracing::error!(merchant = %merchant_id, kind, error = %e, "could not record event");
        }
    }
}
