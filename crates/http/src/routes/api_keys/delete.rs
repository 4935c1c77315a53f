//! `DELETE /v1/api-keys/{id}`: revokes a key; it answers 401 from then on.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// A revoked key.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyDeleted {
    /// `key_...`
    pub id: String,
    /// Always `api_key`.
    pub object: &'static str,
    /// Always `true`.
    pub deleted: bool,
}

/// Revokes one of the merchant's API keys.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "merchants",
    params(("id" = String, Path, description = "`key_...`")),
    responses((status = 200, body = ApiKeyDeleted), (status = 404, description = "resource_missing")))]
pub async fn delete_api_key(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<Json<ApiKeyDeleted>, ApiError> {
    state.app.revoke_api_key(&caller, &id).await?;
    Ok(Json(ApiKeyDeleted { id, object: "api_key", deleted: true }))
}
