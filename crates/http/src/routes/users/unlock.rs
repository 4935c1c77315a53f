//! `POST /v1/users/unlock`: lifts a temporary lock with the emailed token.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{ClientInfo, JsonBody};
use crate::state::AppState;

/// The token from `<public_url>/unlock?token=T`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unlock {
    /// The token from the link.
    pub token: String,
}

/// The account after unlocking.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unlocked {
    /// The account's email address.
    pub email: String,
    /// Its status now (`active`, or `pending_verification` until the email is verified).
    pub status: String,
}

/// Unlocks an account.
#[utoipa::path(post, path = "/v1/users/unlock", tag = "identity", request_body = Unlock,
    responses((status = 200, body = Unlocked), (status = 400, description = "token_invalid, token_expired")))]
pub async fn unlock(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    JsonBody(body): JsonBody<Unlock>,
) -> Result<Json<Unlocked>, ApiError> {
    let user = state.app.unlock(&body.token, &client).await?;
    Ok(Json(Unlocked { email: user.email, status: user.status }))
}
