//! `GET /v1/me/closure-requests`: the caller's closure requests.

use axum::Json;
use axum::extract::State;

use super::ClosureRequestView;
use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::List;

/// Lists the caller's closure requests, newest first.
#[utoipa::path(get, path = "/v1/me/closure-requests", tag = "identity",
    responses((status = 200, body = List<ClosureRequestView>)))]
pub async fn list_closure_requests(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<List<ClosureRequestView>>, ApiError> {
    let records = state.app.closure_requests(&caller).await?;
    Ok(Json(List::new(records.into_iter().map(ClosureRequestView::from).collect(), false)))
}
