//! `POST /v1/me/totp`: start two-step verification set-up.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// What an authenticator app needs. Nothing is enforced until the set-up is confirmed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetupView {
    /// Always `totp_setup`.
    pub object: &'static str,
    /// Base32 secret, for entering by hand.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
    /// Always `false` here: confirm with `POST /v1/me/totp/confirm`.
    pub confirmed: bool,
}

/// Starts TOTP set-up (again, if an earlier set-up was never confirmed).
#[utoipa::path(post, path = "/v1/me/totp", tag = "identity",
    responses((status = 201, body = TotpSetupView), (status = 409, description = "totp_already_enabled")))]
pub async fn begin_totp(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<(StatusCode, Json<TotpSetupView>), ApiError> {
    let setup = state.app.totp_begin(&caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(TotpSetupView {
            object: "totp_setup",
            secret: setup.secret,
            otpauth_uri: setup.otpauth_uri,
            confirmed: false,
        }),
    ))
}
