//! What users change about themselves (`PATCH /v1/me`) and the PIN they read to a phone
//! agent (`POST /v1/me/support-pin`, API.md §2).
//!
//! The PIN is six random digits, valid for [`SUPPORT_PIN_TTL_US`]; a new one replaces the
//! last. Only its Argon2id hash is stored: six digits are few, so a fast hash would fall to
//! a brute force of a leaked table within the PIN's lifetime.

use okpay_domain::time::now_us;
use okpay_domain::user::parse_name;
use rand::Rng;

use crate::audit::Event;
use crate::error::{AppError, Code};
use crate::ports::{SupportPin, UserRecord};
use crate::sessions::Client;
use crate::users::parse_locale;
use crate::{App, Caller, password};

/// How long a support PIN works: 10 minutes.
pub const SUPPORT_PIN_TTL_US: i64 = 10 * 60 * 1_000_000;

/// Digits in a support PIN.
pub const SUPPORT_PIN_DIGITS: usize = 6;

/// A `PATCH /v1/me` body: each field is changed only when given.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// New display name.
    pub name: Option<String>,
    /// New language for mail: `en` or `zh` (also `zh-CN`, `en-US`, ...).
    pub locale: Option<String>,
}

/// A freshly issued support PIN: the only time it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedPin {
    /// Six digits, leading zeros kept.
    pub pin: String,
    /// µs since the epoch.
    pub expires_at_us: i64,
}

/// Six uniformly random digits.
pub fn random_pin() -> String {
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:0width$}", width = SUPPORT_PIN_DIGITS)
}

impl App {
    /// Changes the caller's name and/or locale; returns the user afterwards.
    pub async fn update_profile(&self, caller: &Caller, update: ProfileUpdate) -> Result<UserRecord, AppError> {
        let name = match update.name.as_deref() {
            Some(n) => Some(parse_name(n).map_err(|e| AppError::invalid(e, "name"))?),
            None => None,
        };
        let locale = match update.locale.as_deref() {
            Some(l) => Some(parse_locale(l).ok_or_else(|| AppError::new(Code::ParameterInvalid).param("locale"))?),
            None => None,
        };
        if name.is_none() && locale.is_none() {
            return Ok(caller.user.clone());
        }
        self.store
            .update_profile(caller.id(), name.as_deref(), locale)
            .await?
            .ok_or_else(|| AppError::new(Code::AuthenticationRequired))
    }

    /// Issues a support PIN for the caller, replacing any earlier one.
    pub async fn issue_support_pin(&self, caller: &Caller, client: &Client) -> Result<IssuedPin, AppError> {
        let pin = random_pin();
        let now = now_us();
        let expires_at_us = now.saturating_add(SUPPORT_PIN_TTL_US);
        let record = SupportPin {
            user_id: caller.id().to_owned(),
            pin_hash: password::hash(pin.clone()).await?,
            created_at_us: now,
            expires_at_us,
            failed_attempts: 0,
        };
        self.store.replace_support_pin(&record).await?;
        self.audit(Event { client: Some(client), ..Event::by(caller, "support_pin_issued") }).await?;
        Ok(IssuedPin { pin, expires_at_us })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_six_digits_and_vary() {
        let pins: std::collections::HashSet<String> = (0..200).map(|_| random_pin()).collect();
        assert!(pins.iter().all(|p| p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit())));
        assert!(pins.len() > 190, "200 draws from a million should rarely collide: {}", pins.len());
    }
}
