//! `POST /v1/agent/identity-documents/{id}/approve`: accept a document (staff).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use okpay_app::identity_documents::Decision;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;
use crate::views::IdentityDocumentView;

/// Why the agent decided so (audited; quoted to the owner on rejection).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// 1–1,000 characters.
    pub reason: String,
}

/// Approves a pending document: the owner's `kyc_level` becomes 1 (limits ×10) and they are
/// emailed.
#[utoipa::path(post, path = "/v1/agent/identity-documents/{id}/approve", tag = "agent", request_body = ReviewBody,
    params(("id" = String, Path, description = "idv_ id")),
    responses((status = 200, body = IdentityDocumentView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "document_already_reviewed")))]
pub async fn approve_identity_document(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Auth(staff): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Result<Json<IdentityDocumentView>, ApiError> {
    let client = super::client(peer, &headers);
    let doc = state.app.review_identity_document(&staff, &id, Decision::Approve, &body.reason, &client).await?;
    Ok(Json(IdentityDocumentView::for_staff(&doc)))
}
