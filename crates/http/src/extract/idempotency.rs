//! The `Idempotency-Key` header, required on requests that move money.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use okpay_app::idempotency::check_key;
use okpay_app::{AppError, Code};

use crate::error::ApiError;

/// Name of the header.
pub const HEADER: &str = "idempotency-key";

/// A valid idempotency key (1–255 characters).
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(HEADER)
            .ok_or_else(|| AppError::new(Code::IdempotencyKeyRequired).param("Idempotency-Key"))?;
        let key = value.to_str().map_err(|_| AppError::new(Code::IdempotencyKeyInvalid).param("Idempotency-Key"))?;
        check_key(key)?;
        Ok(IdempotencyKey(key.to_owned()))
    }
}

/// An `Idempotency-Key` where it is accepted but not required (checked when present).
pub struct OptionalIdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for OptionalIdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(HEADER) {
            let IdempotencyKey(key) = IdempotencyKey::from_request_parts(parts, state).await?;
            Ok(OptionalIdempotencyKey(Some(key)))
        } else {
            Ok(OptionalIdempotencyKey(None))
        }
    }
}
