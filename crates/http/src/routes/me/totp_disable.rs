//! `DELETE /v1/me/totp`: turn two-step verification off (needs a current code).

use axum::extract::State;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::routes::me::totp_confirm::TotpCode;
use crate::state::AppState;

/// Turns TOTP off and deletes the recovery codes. The body carries a current code or an
/// unused recovery code, so a stolen session alone cannot weaken the account.
#[utoipa::path(delete, path = "/v1/me/totp", tag = "identity", request_body = TotpCode,
    responses((status = 204), (status = 400, description = "otp_invalid"), (status = 409, description = "totp_not_enabled")))]
pub async fn disable_totp(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody<TotpCode>,
) -> Result<StatusCode, ApiError> {
    state.app.totp_disable(&caller, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}
