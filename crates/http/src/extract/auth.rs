//! `Authorization: Bearer <token>` → the signed-in caller.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use okpay_app::{Caller, Code};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
pub struct Auth(pub Caller);

/// The bearer token of a request, if it has one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The idempotency middleware may have authenticated this request already.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(Auth(caller.clone()));
        }
        let token = bearer(parts).ok_or(ApiError::from(Code::AuthenticationRequired))?;
        let caller = state.app.authenticate(token).await?;
        parts.extensions.insert(caller.clone());
        Ok(Auth(caller))
    }
}
