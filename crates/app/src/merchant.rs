//! Merchant settings: the payment methods a merchant accepts and its webhook URL.
//!
//! The webhook signing secret (`whsec_...`) is created when a URL is first set and returned
//! only in that answer; later changes of the URL keep it.

use okpay_domain::ids::random_token;
use okpay_domain::time::now_us;

use crate::error::{AppError, Code};
use crate::ports::MerchantSettings;
use crate::webhooks::destination;
use crate::{App, Caller};

/// Payment methods a merchant can accept, in display order.
pub const PAYMENT_METHODS: &[&str] = &["wallet", "card"];

/// Prefix of webhook signing secrets.
pub const WEBHOOK_SECRET_PREFIX: &str = "whsec_";

/// What to do with the webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookUrlChange {
    /// Leave it as it is.
    Keep,
    /// Remove it: events are still recorded, not delivered.
    Clear,
    /// Set it (checked first).
    Set(String),
}

/// A change of settings.
#[derive(Debug, Clone)]
pub struct SettingsUpdate {
    /// New accepted payment methods, if given.
    pub accepted_payment_methods: Option<Vec<String>>,
    /// The webhook URL change.
    pub webhook_url: WebhookUrlChange,
}

/// Settings as saved, with the secret when this save created it.
#[derive(Debug, Clone)]
pub struct SavedSettings {
    /// The settings.
    pub settings: MerchantSettings,
    /// `Some` only in the answer that created the secret.
    pub new_webhook_secret: Option<String>,
}

/// The settings of a merchant that never saved any.
pub fn defaults(merchant_id: &str) -> MerchantSettings {
    MerchantSettings {
        merchant_id: merchant_id.to_owned(),
        accepted_payment_methods: PAYMENT_METHODS.iter().map(|m| (*m).to_owned()).collect(),
        webhook_url: None,
        webhook_secret: None,
        updated_at_us: 0,
    }
}

/// Validates a list of payment methods: known, at least one; returned deduplicated in
/// display order.
pub fn payment_methods(given: &[String]) -> Result<Vec<String>, AppError> {
    const PARAM: &str = "accepted_payment_methods";
    if let Some(unknown) = given.iter().find(|m| !PAYMENT_METHODS.contains(&m.as_str())) {
        return Err(AppError::new(Code::PaymentMethodNotSupported).param(PARAM).detail(format!("unknown {unknown:?}")));
    }
    if given.is_empty() {
        return Err(AppError::new(Code::ParameterInvalid).param(PARAM).detail("at least one method"));
    }
    Ok(PAYMENT_METHODS.iter().filter(|m| given.iter().any(|g| g == *m)).map(|m| (*m).to_owned()).collect())
}

impl App {
    /// The business caller's settings (defaults if never saved).
    pub async fn merchant_settings(&self, caller: &Caller) -> Result<MerchantSettings, AppError> {
        caller.require_business()?;
        Ok(self.store.merchant_settings(caller.id()).await?.unwrap_or_else(|| defaults(caller.id())))
    }

    /// Changes the business caller's settings; every input is checked before anything is written.
    pub async fn update_merchant_settings(
        &self,
        caller: &Caller,
        update: SettingsUpdate,
    ) -> Result<SavedSettings, AppError> {
        caller.require_business()?;
        let methods = update.accepted_payment_methods.as_deref().map(payment_methods).transpose()?;
        let url = match &update.webhook_url {
            WebhookUrlChange::Set(raw) => {
                Some(destination::check(raw, self.config.webhook_allow_private_networks).await?.to_string())
            }
            _ => None,
        };
        let mut settings = self.store.merchant_settings(caller.id()).await?.unwrap_or_else(|| defaults(caller.id()));
        if let Some(methods) = methods {
            settings.accepted_payment_methods = methods;
        }
        let mut offered_secret = None;
        match update.webhook_url {
            WebhookUrlChange::Keep => {}
            WebhookUrlChange::Clear => settings.webhook_url = None,
            WebhookUrlChange::Set(_) => {
                settings.webhook_url = url;
                if settings.webhook_secret.is_none() {
                    let secret = format!("{WEBHOOK_SECRET_PREFIX}{}", random_token(32));
                    settings.webhook_secret = Some(secret.clone());
                    offered_secret = Some(secret);
                }
            }
        }
        settings.updated_at_us = now_us();
        let saved = self.store.save_merchant_settings(&settings).await?;
        // A concurrent first save may have stored its secret first: show ours only if it won.
        let new_webhook_secret = offered_secret.filter(|s| saved.webhook_secret.as_deref() == Some(s.as_str()));
        Ok(SavedSettings { settings: saved, new_webhook_secret })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_methods_are_known_deduplicated_and_ordered() {
        let given = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(payment_methods(&given(&["card", "wallet", "card"])).ok(), Some(given(&["wallet", "card"])));
        assert_eq!(payment_methods(&given(&["card"])).ok(), Some(given(&["card"])));
        let unknown = payment_methods(&given(&["wallet", "bitcoin"])).err().map(|e| (e.code, e.param));
        assert_eq!(unknown, Some((Code::PaymentMethodNotSupported, Some("accepted_payment_methods".into()))));
        assert_eq!(payment_methods(&[]).err().map(|e| e.code), Some(Code::ParameterInvalid));
    }
}
