//! `POST /v1/password-resets`: mails a reset link if the account exists; answers the same
//! either way.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Who forgot their password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePasswordReset {
    /// The account's email address.
    pub email: String,
}

/// Always the same for a valid address, registered or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    /// `reset_requested`.
    pub status: &'static str,
    /// The normalised address.
    pub email: String,
}

/// Asks for a password reset link.
#[utoipa::path(post, path = "/v1/password-resets", tag = "identity", request_body = CreatePasswordReset,
    responses((status = 202, body = ResetRequested), (status = 400, description = "invalid_email")))]
pub async fn create_password_reset(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CreatePasswordReset>,
) -> Result<(StatusCode, Json<ResetRequested>), ApiError> {
    let email = state.app.request_password_reset(&body.email).await?;
    Ok((StatusCode::ACCEPTED, Json(ResetRequested { status: "reset_requested", email })))
}
