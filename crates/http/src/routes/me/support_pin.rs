//! `POST /v1/me/support-pin`: a PIN the user reads to a phone agent to prove who they are.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_domain::time::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, ClientInfo};
use crate::state::AppState;

/// A new support PIN, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportPinIssued {
    /// Always `support_pin`.
    pub object: &'static str,
    /// Six digits to read to the agent.
    pub pin: String,
    /// RFC 3339: the PIN stops working (10 minutes after issue).
    pub expires_at: String,
}

/// Issues a support PIN, replacing any earlier one.
#[utoipa::path(post, path = "/v1/me/support-pin", tag = "identity",
    responses((status = 201, body = SupportPinIssued), (status = 401, description = "authentication_required")))]
pub async fn create_support_pin(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
) -> Result<(StatusCode, Json<SupportPinIssued>), ApiError> {
    let issued = state.app.issue_support_pin(&caller, &client).await?;
    let body = SupportPinIssued { object: "support_pin", pin: issued.pin, expires_at: rfc3339(issued.expires_at_us) };
    Ok((StatusCode::CREATED, Json(body)))
}
