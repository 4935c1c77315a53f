//! `DELETE /v1/sessions/current`: signs out (ends the session making the request).

use axum::Json;
use axum::extract::State;

use super::delete::SessionDeleted;
use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// Logs out: ends the session whose token made this request.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "identity",
    responses((status = 200, body = SessionDeleted), (status = 401, description = "authentication_required")))]
pub async fn delete_current_session(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<SessionDeleted>, ApiError> {
    state.app.revoke_session(&caller, &caller.session_id).await?;
    Ok(Json(SessionDeleted::new(caller.session_id)))
}
