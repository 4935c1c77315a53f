//! Tokens of emailed links (verify email, reset password, unlock).
//!
//! Each carries 256 random bits (the contract asks for at least 128), is stored only as its
//! SHA-256, works once and expires. A presented token that is malformed, unknown, already used
//! or meant for another purpose is `token_invalid`; one past its expiry is `token_expired`.

use okpay_domain::ids::{random_token, token_hash};
use okpay_domain::time::now_us;

use crate::App;
use crate::error::{AppError, Code};
use crate::ports::{AccountToken, OutboxMail, Redemption, TokenPurpose, UserRecord};

/// Random bytes per token.
pub const TOKEN_BYTES: usize = 32;
/// Longest token looked up; anything longer cannot be one of ours.
const MAX_TOKEN_CHARS: usize = 128;

/// A new token for `user_id`: the secret (for the link) and the record to store.
pub fn issue(purpose: TokenPurpose, user_id: &str, ttl_us: i64) -> (String, AccountToken) {
    let secret = random_token(TOKEN_BYTES);
    let now = now_us();
    let record = AccountToken {
        token_hash: token_hash(&secret),
        purpose: purpose.as_str().to_owned(),
        user_id: user_id.to_owned(),
        created_at_us: now,
        expires_at_us: now.saturating_add(ttl_us),
        used_at_us: None,
    };
    (secret, record)
}

/// Whether `s` could be a token we issued (length and alphabet), before any lookup.
fn well_formed(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_TOKEN_CHARS && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

impl App {
    /// The stored token behind a presented one, if it can still be redeemed for `purpose`.
    pub(crate) async fn check_token(&self, token: &str, purpose: TokenPurpose) -> Result<AccountToken, AppError> {
        let invalid = || AppError::new(Code::TokenInvalid).param("token");
        if !well_formed(token) {
            return Err(invalid());
        }
        let t = self.store.account_token(&token_hash(token)).await?.ok_or_else(invalid)?;
        if t.purpose != purpose.as_str() || t.used_at_us.is_some() {
            return Err(invalid());
        }
        if now_us() >= t.expires_at_us {
            return Err(AppError::new(Code::TokenExpired).param("token"));
        }
        Ok(t)
    }

    /// Redeems a token checked by [`App::check_token`]; a token redeemed concurrently in the
    /// meantime is `token_invalid`.
    pub(crate) async fn redeem(
        &self,
        token: &str,
        purpose: TokenPurpose,
        redemption: &Redemption,
        mail: Option<&OutboxMail>,
    ) -> Result<UserRecord, AppError> {
        let user = self
            .store
            .redeem_token(&token_hash(token), purpose, now_us(), redemption, mail)
            .await?
            .ok_or_else(|| AppError::new(Code::TokenInvalid).param("token"))?;
        if mail.is_some() {
            self.mail_queued();
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_are_long_random_and_stored_hashed() {
        let (a, rec) = issue(TokenPurpose::Unlock, "usr_1", 1_000_000);
        let (b, _) = issue(TokenPurpose::Unlock, "usr_1", 1_000_000);
        assert_ne!(a, b);
        assert!(a.len() * 5 >= 256, "at least 256 bits");
        assert!(well_formed(&a));
        assert_eq!(rec.token_hash, token_hash(&a));
        assert!(!rec.token_hash.contains(&a));
        assert_eq!(rec.expires_at_us - rec.created_at_us, 1_000_000);
        assert_eq!((rec.purpose.as_str(), rec.used_at_us), ("unlock", None));
    }

    #[test]
    fn malformed_tokens_are_refused_before_lookup() {
        for bad in ["", "ABC", "abc def", "abc/../x", "токен", &"a".repeat(129), "a\0b"] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }
}
