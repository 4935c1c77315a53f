//! `POST /v1/users/verify-email`: confirms an email address with the emailed token.

use axum::Json;
use axum::extract::State;
use okpay_app::ports::UserRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// The token from `<public_url>/verify-email?token=T`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmail {
    /// The token from the link.
    pub token: String,
}

/// The account after verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailVerified {
    /// The verified address.
    pub email: String,
    /// Always `true`.
    pub email_verified: bool,
    /// The account status (`active` unless locked or frozen).
    pub status: String,
}

impl From<UserRecord> for EmailVerified {
    fn from(u: UserRecord) -> Self {
        EmailVerified { email: u.email, email_verified: u.email_verified, status: u.status }
    }
}

/// Verifies an email address.
#[utoipa::path(post, path = "/v1/users/verify-email", tag = "identity", request_body = VerifyEmail,
    responses((status = 200, body = EmailVerified), (status = 400, description = "token_invalid, token_expired")))]
pub async fn verify_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<VerifyEmail>,
) -> Result<Json<EmailVerified>, ApiError> {
    Ok(Json(state.app.verify_email(&body.token).await?.into()))
}
