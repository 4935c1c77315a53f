//! `POST /v1/api-keys`: a new API key; its secret is in this answer and nowhere else.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::list::ApiKeyView;
use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// A new key with its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyCreated {
    /// The key.
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// `sk_...`: shown once; only its hash is stored.
    pub secret: String,
}

/// Creates an API key for the signed-in business user.
#[utoipa::path(post, path = "/v1/api-keys", tag = "merchants",
    responses((status = 201, body = ApiKeyCreated),
        (status = 403, description = "permission_denied (personal account), api_key_not_allowed")))]
pub async fn create_api_key(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<(StatusCode, Json<ApiKeyCreated>), ApiError> {
    let issued = state.app.create_api_key(&caller).await?;
    Ok((StatusCode::CREATED, Json(ApiKeyCreated { key: ApiKeyView::from(&issued.key), secret: issued.secret })))
}
