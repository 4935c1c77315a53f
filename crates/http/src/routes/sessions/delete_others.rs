//! `DELETE /v1/sessions`: signs out every device but the one making the request.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, ClientInfo};
use crate::state::AppState;

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct OtherSessionsDeleted {
    /// Always `session_revocation`.
    pub object: &'static str,
    /// Sessions ended (the current one is kept).
    pub revoked: u64,
}

/// Ends every other session of the caller; their tokens answer 401 from now on.
#[utoipa::path(delete, path = "/v1/sessions", tag = "identity",
    responses((status = 200, body = OtherSessionsDeleted), (status = 401, description = "authentication_required")))]
pub async fn delete_other_sessions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
) -> Result<Json<OtherSessionsDeleted>, ApiError> {
    let revoked = state.app.revoke_other_sessions(&caller, &client).await?;
    Ok(Json(OtherSessionsDeleted { object: "session_revocation", revoked }))
}
