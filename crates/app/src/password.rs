//! Password hashing with Argon2id (19 MiB, t=2, p=1: the OWASP minimum the contract names).
//!
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| AppError::internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password to a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let hash =
            argon2()?.hash_password(password.as_bytes()).map_err(|e| AppError::internal(format!("hash: {e}")))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| AppError::internal(format!("hash task: {e}")))?
}

/// Whether `password` matches `phc`. A malformed hash never matches.
pub async fn verify(password: String, phc: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || Ok(argon2()?.verify_password(password.as_bytes(), phc.as_str()).is_ok()))
        .await
        .map_err(|e| AppError::internal(format!("verify task: {e}")))?
}

/// A valid hash of a random password: verified against when the email is unknown, so that a
/// sign-in takes as long whether or not the account exists. Computed once per process (hashing
/// on every unknown-email sign-in would make those take twice as long as real ones).
pub async fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_try_init(|| hash(okpay_domain::ids::random_token(16))).await.cloned()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_reject() {
        let h = super::hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse battery".into(), h.clone()).await.expect("verify"));
        assert!(!super::verify("wrong".into(), h).await.expect("verify"));
        assert!(!super::verify("x".into(), "not a hash".into()).await.expect("verify"));
    }
}
