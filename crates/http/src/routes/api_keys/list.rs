//! `GET /v1/api-keys`: the merchant's API keys (never their secrets).

use axum::Json;
use axum::extract::State;
use okpay_app::ports::ApiKeyRecord;
use okpay_domain::time::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::List;

/// An API key as listed: enough to tell keys apart, never the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// `key_...`
    pub id: String,
    /// Always `api_key`.
    pub object: &'static str,
    /// The secret's last four characters, e.g. `sk_...3f9a`.
    pub redacted_secret: String,
    /// `active` or `revoked`.
    pub status: &'static str,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once revoked.
    pub revoked_at: Option<String>,
}

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(k: &ApiKeyRecord) -> Self {
        ApiKeyView {
            id: k.id.clone(),
            object: "api_key",
            redacted_secret: format!("sk_...{}", k.last4),
            status: if k.revoked_at_us.is_some() { "revoked" } else { "active" },
            created_at: rfc3339(k.created_at_us),
            revoked_at: k.revoked_at_us.map(rfc3339),
        }
    }
}

/// Lists the merchant's API keys, newest first.
#[utoipa::path(get, path = "/v1/api-keys", tag = "merchants",
    responses((status = 200, body = List<ApiKeyView>), (status = 403, description = "permission_denied")))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<List<ApiKeyView>>, ApiError> {
    let keys = state.app.list_api_keys(&caller).await?;
    Ok(Json(List::new(keys.iter().map(ApiKeyView::from).collect(), false)))
}
