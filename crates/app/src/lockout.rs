//! Lockout after repeated failed sign-ins (API.md §2).
//!
//! Failures are counted per normalised email address whether or not an account exists, and a
//! locked address answers `account_locked` before any password check, so neither the answers
//! nor their timing reveal which addresses are registered. When an address reaches the limit
//! its account (if any) becomes `locked`, and the owner is mailed the reason and an unlock link.
//! The lock ends by itself after `lockout_duration_us`, with the unlock link, or with a
//! password reset.

use okpay_domain::UserStatus;
use okpay_domain::time::now_us;
use okpay_mail::Template;

use crate::audit::{Event, SYSTEM};
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{AccountLock, Redemption, TokenPurpose, UserRecord};
use crate::sessions::Client;
use crate::{App, tokens};

impl App {
    /// `account_locked` while sign-in to `email` (normalised) is locked.
    pub(crate) async fn ensure_not_locked_out(&self, email: &str) -> Result<(), AppError> {
        match self.store.sign_in_locked_until(email).await? {
            Some(until) if until > now_us() => Err(AppError::new(Code::AccountLocked)),
            _ => Ok(()),
        }
    }

    /// Counts a failed sign-in of `email`; at the limit, locks the address and its account.
    /// Returns the error the sign-in answers (`invalid_credentials`, or `account_locked` for
    /// the failure that reached the limit), the same whether or not `user` exists.
    pub(crate) async fn sign_in_failed(&self, email: &str, user: Option<&UserRecord>) -> AppError {
        match self.count_failure(email, user).await {
            Ok(true) => AppError::new(Code::AccountLocked),
            Ok(false) => AppError::new(Code::InvalidCredentials),
            Err(e) => e,
        }
    }

    async fn count_failure(&self, email: &str, user: Option<&UserRecord>) -> Result<bool, AppError> {
        let c = &self.config;
        let now = now_us();
        let failures = self.store.record_sign_in_failure(email, now, c.lockout_window_us).await?;
        if failures < c.lockout_max_failures {
            return Ok(false);
        }
        let until = now.saturating_add(c.lockout_duration_us);
        let lockable = user.filter(|u| {
            matches!(UserStatus::parse(&u.status), Some(UserStatus::Active | UserStatus::PendingVerification))
        });
        let Some(user) = lockable else {
            self.store.lock_sign_in(email, now, until, None).await?;
            return Ok(true);
        };
        let (secret, token) = tokens::issue(TokenPurpose::Unlock, &user.id, c.lockout_duration_us);
        let template = Template::AccountLocked {
            link: self.token_link("/unlock", &secret),
            lock_minutes: (c.lockout_duration_us / 60_000_000).max(1),
            reset_url: self.link("/forgot-password"),
        };
        let mail = compose(&user.email, &user.locale, &user.name, &template);
        let account = AccountLock { user_id: &user.id, token: &token, mail: &mail };
        if self.store.lock_sign_in(email, now, until, Some(account)).await? {
            self.mail_queued();
            let reason = format!("{failures} failed sign-ins within {} minutes", c.lockout_window_us / 60_000_000);
            let event = Event { actor: SYSTEM, reason: Some(&reason), ..Event::own(&user.id, "account_locked") };
            self.audit(event).await?;
            tracing::warn!(user = %user.id, "account locked after repeated failed sign-ins");
        }
        Ok(true)
    }

    /// A `locked` user whose lock has run out, moved back to `active` (or
    /// `pending_verification`); any other user as given.
    pub(crate) async fn with_expired_lock_lifted(&self, user: UserRecord) -> Result<UserRecord, AppError> {
        if user.status != UserStatus::Locked.as_str() {
            return Ok(user);
        }
        match self.store.sign_in_locked_until(&user.email).await? {
            Some(until) if until > now_us() => Ok(user),
            _ => Ok(self.store.lift_expired_lock(&user.id, now_us()).await?.unwrap_or(user)),
        }
    }

    /// `POST /v1/users/unlock`: lifts a temporary lock with the emailed token.
    pub async fn unlock(&self, token: &str, client: &Client) -> Result<UserRecord, AppError> {
        self.check_token(token, TokenPurpose::Unlock).await?;
        let user = self.redeem(token, TokenPurpose::Unlock, &Redemption::Unlock, None).await?;
        let reason = Some("emailed unlock link");
        self.audit(Event { client: Some(client), reason, ..Event::own(&user.id, "account_unlocked") }).await?;
        Ok(user)
    }
}
