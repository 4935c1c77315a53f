//! `POST /v1/agent/identity-documents/{id}/reject`: refuse a document (staff).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use okpay_app::identity_documents::Decision;

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::routes::identity_documents::approve::ReviewBody;
use crate::state::AppState;
use crate::views::IdentityDocumentView;

/// Rejects a pending document; the owner is emailed the reason and may upload another.
#[utoipa::path(post, path = "/v1/agent/identity-documents/{id}/reject", tag = "agent", request_body = ReviewBody,
    params(("id" = String, Path, description = "idv_ id")),
    responses((status = 200, body = IdentityDocumentView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "document_already_reviewed")))]
pub async fn reject_identity_document(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Auth(staff): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Result<Json<IdentityDocumentView>, ApiError> {
    let client = super::client(peer, &headers);
    let doc = state.app.review_identity_document(&staff, &id, Decision::Reject, &body.reason, &client).await?;
    Ok(Json(IdentityDocumentView::for_staff(&doc)))
}
