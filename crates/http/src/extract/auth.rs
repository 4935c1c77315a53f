//! `Authorization: Bearer <token>` → the caller, and which credentials a route accepts.
//!
//! * [`Auth`] accepts a signed-in user's session only (an API key gets 403 `api_key_not_allowed`).
//! * [`KeyAuth`] accepts a merchant API key (`sk_...`) only (a session gets 401 `api_key_required`).
//! * [`AnyAuth`] accepts either.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use okpay_app::caller::Credential;
use okpay_app::{AppError, Caller, Code};

use crate::error::ApiError;
use crate::state::AppState;

/// A caller signed in with a session (the default for user-facing routes).
pub struct Auth(pub Caller);

/// A caller authenticated with a merchant API key.
pub struct KeyAuth(pub Caller);

/// A caller authenticated with a session or a merchant API key.
pub struct AnyAuth(pub Caller);

/// The bearer token of a request, if it has one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The request's caller, whatever the credential.
async fn caller(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
    // The idempotency middleware may have authenticated this request already.
    if let Some(caller) = parts.extensions.get::<Caller>() {
        return Ok(caller.clone());
    }
    let token = bearer(parts).ok_or(ApiError::from(Code::AuthenticationRequired))?;
    let caller = state.app.authenticate(token).await?;
    parts.extensions.insert(caller.clone());
    Ok(caller)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = caller(parts, state).await?;
        match caller.credential {
            Credential::Session => Ok(Auth(caller)),
            Credential::ApiKey => Err(ApiError(AppError::new(Code::ApiKeyNotAllowed))),
        }
    }
}

impl FromRequestParts<AppState> for KeyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = caller(parts, state).await?;
        match caller.credential {
            Credential::ApiKey => Ok(KeyAuth(caller)),
            Credential::Session => Err(ApiError(AppError::new(Code::ApiKeyRequired))),
        }
    }
}

impl FromRequestParts<AppState> for AnyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(AnyAuth(caller(parts, state).await?))
    }
}
