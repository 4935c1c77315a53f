//! Merchants' API keys: created by a business user's session, shown once, stored only as a
//! SHA-256 hash, revocable; a key authenticates as its merchant (`Authorization: Bearer sk_...`).

use okpay_domain::UserStatus;
use okpay_domain::ids::{IdKind, random_token, token_hash};
use okpay_domain::time::now_us;

use crate::caller::Credential;
use crate::error::{AppError, Code};
use crate::ports::ApiKeyRecord;
use crate::{App, Caller};

/// Every API key secret starts with this, so authentication knows where to look it up.
pub const SECRET_PREFIX: &str = "sk_";

/// Most keys one merchant may hold (revoked ones included): a bound on the list.
pub const MAX_KEYS_PER_MERCHANT: usize = 100;

/// A new key and its secret (the only time the secret is known).
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The stored key.
    pub key: ApiKeyRecord,
    /// `sk_...`: 256 random bits.
    pub secret: String,
}

impl App {
    /// Creates an API key for a business user signed in with a session.
    pub async fn create_api_key(&self, caller: &Caller) -> Result<IssuedKey, AppError> {
        caller.require_business()?;
        let existing = self.store.api_keys(caller.id()).await?;
        if existing.len() >= MAX_KEYS_PER_MERCHANT {
            return Err(AppError::new(Code::LimitExceeded).detail("too many API keys"));
        }
        let secret = format!("{SECRET_PREFIX}{}", random_token(32));
        let last4: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        let key = ApiKeyRecord {
            id: IdKind::ApiKey.random(),
            merchant_id: caller.id().to_owned(),
            secret_hash: token_hash(&secret),
            last4,
            created_at_us: now_us(),
            revoked_at_us: None,
        };
        self.store.insert_api_key(&key).await?;
        Ok(IssuedKey { key, secret })
    }

    /// The business caller's keys, newest first (never their secrets).
    pub async fn list_api_keys(&self, caller: &Caller) -> Result<Vec<ApiKeyRecord>, AppError> {
        caller.require_business()?;
        Ok(self.store.api_keys(caller.id()).await?)
    }

    /// Revokes one of the business caller's keys: it answers 401 from now on.
    pub async fn revoke_api_key(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        caller.require_business()?;
        if self.store.revoke_api_key(caller.id(), id, now_us()).await? {
            Ok(())
        } else {
            Err(AppError::new(Code::ResourceMissing).param("id"))
        }
    }

    /// Resolves an `sk_...` secret to its merchant.
    pub(crate) async fn authenticate_api_key(&self, secret: &str) -> Result<Caller, AppError> {
        let found = self
            .store
            .api_key_user(&token_hash(secret))
            .await?
            .ok_or_else(|| AppError::new(Code::AuthenticationRequired))?;
        let user = self.with_expired_lock_lifted(found.user).await?;
        match UserStatus::parse(&user.status) {
            Some(UserStatus::Closed) => return Err(AppError::new(Code::AccountClosed)),
            Some(UserStatus::Frozen) => return Err(AppError::new(Code::AccountFrozen)),
            _ => {}
        }
        Ok(Caller { user, session_id: found.key_id, credential: Credential::ApiKey })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised_by_their_prefix() {
        let secret = format!("{SECRET_PREFIX}{}", random_token(32));
        assert!(secret.starts_with("sk_") && secret.len() > 50);
        assert_eq!(token_hash(&secret).len(), 64);
    }
}
