//! `GET /v1/events`: the merchant's events, newest first (session or API key).

use axum::Json;
use axum::extract::State;

use super::view::EventView;
use crate::error::ApiError;
use crate::extract::query::Pagination;
use crate::extract::{AnyAuth, QueryParams};
use crate::state::AppState;
use crate::views::List;

/// The merchant's events, newest first.
#[utoipa::path(get, path = "/v1/events", tag = "merchants", params(Pagination),
    responses((status = 200, body = List<EventView>), (status = 403, description = "permission_denied")))]
pub async fn list_events(
    State(state): State<AppState>,
    AnyAuth(caller): AnyAuth,
    QueryParams(q): QueryParams<Pagination>,
) -> Result<Json<List<EventView>>, ApiError> {
    let limit = q.limit()?;
    let page = state.app.list_events(&caller, q.starting_after.as_deref(), limit).await?;
    let data = page.events.iter().map(EventView::from_record).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(List::new(data, page.has_more)))
}
