//! `POST /v1/password-resets/confirm`: sets a new password with the emailed token.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{ClientInfo, JsonBody};
use crate::state::AppState;

/// The token from `<public_url>/reset-password?token=T` and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPasswordReset {
    /// The token from the link.
    pub token: String,
    /// The new password (API.md §2 policy).
    pub new_password: String,
}

/// The password was changed; every session of the account has ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChanged {
    /// `password_changed`.
    pub status: &'static str,
    /// The account's email address.
    pub email: String,
    /// The account status after the reset (a temporary lock is lifted, a freeze is not).
    pub account_status: String,
}

/// Sets a new password.
#[utoipa::path(post, path = "/v1/password-resets/confirm", tag = "identity", request_body = ConfirmPasswordReset,
    responses((status = 200, body = PasswordChanged),
        (status = 400, description = "token_invalid, token_expired, weak_password")))]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    JsonBody(body): JsonBody<ConfirmPasswordReset>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let user = state.app.confirm_password_reset(&body.token, body.new_password, &client).await?;
    Ok(Json(PasswordChanged { status: "password_changed", email: user.email, account_status: user.status }))
}
