//! `DELETE /v1/sessions/{id}`: signs one of the caller's devices out.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// A session that was ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDeleted {
    /// `ses_...`
    pub id: String,
    /// Always `session`.
    pub object: &'static str,
    /// Always `true`.
    pub deleted: bool,
}

impl SessionDeleted {
    /// The answer for `id`.
    pub fn new(id: String) -> Self {
        SessionDeleted { id, object: "session", deleted: true }
    }
}

/// Ends one of the caller's sessions; its token answers 401 from now on.
#[utoipa::path(delete, path = "/v1/sessions/{id}", tag = "identity",
    params(("id" = String, Path, description = "`ses_...`")),
    responses((status = 200, body = SessionDeleted), (status = 404, description = "resource_missing")))]
pub async fn delete_session(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<Json<SessionDeleted>, ApiError> {
    state.app.revoke_session(&caller, &id).await?;
    Ok(Json(SessionDeleted::new(id)))
}
