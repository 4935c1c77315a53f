//! `GET /v1/agent/identity-documents/{id}/file`: a document's file (staff; audited).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// The file as uploaded, as an attachment of its recognised type. Browsers are told not to
/// guess another type, not to cache it and not to run anything in it.
#[utoipa::path(get, path = "/v1/agent/identity-documents/{id}/file", tag = "agent",
    params(("id" = String, Path, description = "idv_ id")),
    responses((status = 200, description = "the file (image/jpeg, image/png or application/pdf)"),
        (status = 403, description = "permission_denied"), (status = 404, description = "resource_missing")))]
pub async fn download_identity_document(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Auth(staff): Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let client = super::client(peer, &headers);
    let (doc, content) = state.app.identity_document_file(&staff, &id, &client).await?;
    let extension = match doc.content_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    };
    let disposition = format!("attachment; filename=\"{}.{extension}\"", doc.id);
    let mut response = content.into_response();
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, HeaderValue::from_str(&doc.content_type).ok()),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).ok()),
        (header::X_CONTENT_TYPE_OPTIONS, Some(HeaderValue::from_static("nosniff"))),
        (header::CACHE_CONTROL, Some(HeaderValue::from_static("no-store"))),
        (header::CONTENT_SECURITY_POLICY, Some(HeaderValue::from_static("sandbox; default-src 'none'"))),
    ] {
        if let Some(v) = value {
            h.insert(name, v);
        }
    }
    Ok(response)
}
