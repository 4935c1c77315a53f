//! `GET /v1/me/identity-documents`: the caller's uploads and their review status.

use axum::Json;
use axum::extract::State;

use crate::error::ApiError;
use crate::extract::query::Pagination;
use crate::extract::{Auth, QueryParams};
use crate::state::AppState;
use crate::views::{IdentityDocumentView, List};

/// The caller's identity documents, newest first.
#[utoipa::path(get, path = "/v1/me/identity-documents", tag = "identity", params(Pagination),
    responses((status = 200, body = List<IdentityDocumentView>)))]
pub async fn list_identity_documents(
    State(state): State<AppState>,
    Auth(caller): Auth,
    QueryParams(page): QueryParams<Pagination>,
) -> Result<Json<List<IdentityDocumentView>>, ApiError> {
    let limit = page.limit()?;
    let (docs, has_more) = state.app.identity_documents(&caller, page.starting_after.as_deref(), limit).await?;
    Ok(Json(List::new(docs.iter().map(IdentityDocumentView::for_owner).collect(), has_more)))
}
