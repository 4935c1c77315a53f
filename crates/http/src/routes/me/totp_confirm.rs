//! `POST /v1/me/totp/confirm`: turn two-step verification on with a first code.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;

/// A code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The current 6-digit code (or, to turn TOTP off, a recovery code).
    pub code: String,
}

/// Two-step verification is on.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnabled {
    /// Always `totp_setup`.
    pub object: &'static str,
    /// Always `true`.
    pub confirmed: bool,
    /// Ten single-use recovery codes, shown only now.
    pub recovery_codes: Vec<String>,
}

/// Confirms the set-up; from now on sign-in needs a code.
#[utoipa::path(post, path = "/v1/me/totp/confirm", tag = "identity", request_body = TotpCode,
    responses((status = 200, body = TotpEnabled), (status = 400, description = "otp_invalid"),
        (status = 409, description = "totp_not_enabled, totp_already_enabled")))]
pub async fn confirm_totp(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody<TotpCode>,
) -> Result<Json<TotpEnabled>, ApiError> {
    let recovery_codes = state.app.totp_confirm(&caller, &body.code).await?;
    Ok(Json(TotpEnabled { object: "totp_setup", confirmed: true, recovery_codes }))
}
