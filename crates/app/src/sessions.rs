//! Sign-in and bearer-token authentication.
//!
//! Tokens carry 256 random bits; only their SHA-256 is stored, so a database leak yields no
//! usable token.

use okpay_domain::ids::{IdKind, random_token, token_hash};
use okpay_domain::time::now_us;
use okpay_domain::{Email, UserStatus};

use crate::audit::{self, Event};
use crate::caller::Credential;
use crate::error::{AppError, Code};
use crate::ports::{SessionRecord, UserRecord};
use crate::{App, Caller, password};

/// Sessions are touched at most this often, so reads stay reads.
const TOUCH_EVERY_US: i64 = 60 * 1_000_000;

/// A new session.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The bearer token (shown once).
    pub token: String,
    /// Absolute expiry, µs.
    pub expires_at_us: i64,
    /// The signed-in user.
    pub user: UserRecord,
    /// The new session's id (`ses_...`).
    pub session_id: String,
}

/// Where a sign-in comes from.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// User-Agent header.
    pub user_agent: String,
    /// Peer IP.
    pub ip: String,
}

impl App {
    /// Signs in with email, password and, when two-step verification is on, a code; every
    /// attempt is recorded in the audit trail.
    ///
    /// A locked address answers `account_locked` before any password check; failures count
    /// towards a lock whether or not the account exists (see [`crate::lockout`]); so do wrong
    /// two-step codes.
    pub async fn sign_in(
        &self,
        email: &str,
        pw: String,
        otp: Option<&str>,
        client: Client,
    ) -> Result<Issued, AppError> {
        let mut subject = None;
        let result = self.sign_in_unaudited(email, pw, otp, &client, &mut subject).await;
        let reason = match &result {
            Ok(_) => None,
            // Storage trouble is not a sign-in attempt worth recording as one.
            Err(e) if e.code == Code::ApiError => return result,
            Err(e) => Some(e.code.as_str()),
        };
        let actor = subject.clone().unwrap_or_else(|| audit::SYSTEM.to_owned());
        let session_id = result.as_ref().ok().map(|i| i.session_id.clone());
        self.audit(Event {
            actor: &actor,
            subject: subject.as_deref(),
            action: "sign_in",
            success: result.is_ok(),
            client: Some(&client),
            reason,
            session_id: session_id.as_deref(),
        })
        .await?;
        result
    }

    /// The sign-in checks; sets `subject` once the email is known to belong to a user.
    async fn sign_in_unaudited(
        &self,
        email: &str,
        pw: String,
        otp: Option<&str>,
        client: &Client,
        subject: &mut Option<String>,
    ) -> Result<Issued, AppError> {
        let address = Email::parse(email).ok().map(|e| e.as_str().to_owned());
        if let Some(address) = &address {
            self.ensure_not_locked_out(address).await?;
        }
        let user = match &address {
            Some(a) => self.store.user_by_email(a).await?,
            None => None,
        };
        let Some(user) = user else {
            // Spend the same time as a real check so timing reveals nothing.
            let _ = password::verify(pw, password::dummy_hash().await?).await?;
            if let Some(closed) = self.closed_account(address.as_deref()).await? {
                *subject = Some(closed.id);
                return Err(AppError::new(Code::AccountClosed));
            }
            return Err(match &address {
                Some(a) => self.sign_in_failed(a, None).await,
                None => AppError::new(Code::InvalidCredentials),
            });
        };
        *subject = Some(user.id.clone());
        if !password::verify(pw, user.password_hash.clone()).await? {
            return Err(self.sign_in_failed(&user.email, Some(&user)).await);
        }
        let user = self.with_expired_lock_lifted(user).await?;
        match UserStatus::parse(&user.status) {
            Some(UserStatus::Closed) => return Err(AppError::new(Code::AccountClosed)),
            Some(UserStatus::Frozen) => return Err(AppError::new(Code::AccountFrozen)),
            Some(UserStatus::Locked) => return Err(AppError::new(Code::AccountLocked)),
            _ => {}
        }
        // After the password and the status: the code is only asked of someone who knows the
        // password, and a frozen or closed account learns nothing more.
        if let Err(e) = self.check_second_factor(&user, otp).await {
            if e.code != Code::OtpInvalid {
                return Err(e);
            }
            // A wrong code counts like a wrong password, so codes cannot be guessed forever.
            let counted = self.sign_in_failed(&user.email, Some(&user)).await;
            return Err(if counted.code == Code::InvalidCredentials { e } else { counted });
        }
        self.store.clear_sign_in_failures(&user.email).await?;
        let now = now_us();
        let token = random_token(32);
        let expires_at_us = now + self.config.session_lifetime_us;
        let session_id = IdKind::Session.random();
        let record = SessionRecord {
            id: session_id.clone(),
            user_id: user.id.clone(),
            token_hash: token_hash(&token),
            user_agent: client.user_agent.chars().take(256).collect(),
            ip: client.ip.clone(),
            created_at_us: now,
            last_seen_us: now,
            expires_at_us,
            revoked: false,
        };
        self.store.insert_session(&record).await?;
        Ok(Issued { token, expires_at_us, user, session_id })
    }

    /// The closed account that `address` (normalised) belonged to, if any: a closed account
    /// keeps only the SHA-256 of its old address, so signing in with it can still answer
    /// `account_closed` (its password hash is gone, so no password is checked).
    async fn closed_account(&self, address: Option<&str>) -> Result<Option<UserRecord>, AppError> {
        match address {
            Some(a) => Ok(self.store.closed_user_by_email_hash(&token_hash(a)).await?),
            None => Ok(None),
        }
    }

    /// Resolves a bearer token (a session token or an API key secret) to its caller; the
    /// caller's [`Credential`] tells which, so each route can accept only what it should.
    pub async fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::new(Code::AuthenticationRequired));
        }
        if token.starts_with(crate::api_keys::SECRET_PREFIX) {
            return self.authenticate_api_key(token).await;
        }
        let session = self
            .store
            .session_user(&token_hash(token))
            .await?
            .ok_or_else(|| AppError::new(Code::AuthenticationRequired))?;
        let now = now_us();
        if now >= session.expires_at_us || now - session.last_seen_us > self.config.session_idle_timeout_us {
            return Err(AppError::new(Code::SessionExpired));
        }
        let user = self.with_expired_lock_lifted(session.user).await?;
        if user.status == UserStatus::Closed.as_str() {
            return Err(AppError::new(Code::AccountClosed));
        }
        if now - session.last_seen_us > TOUCH_EVERY_US {
            self.store.touch_session(&session.session_id, now).await?;
        }
        Ok(Caller { user, session_id: session.session_id, credential: Credential::Session })
    }
}
