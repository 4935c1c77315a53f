//! `GET /v1/events/{id}`: one event with its webhook deliveries and their attempts.

use axum::Json;
use axum::extract::{Path, State};

use super::view::EventView;
use crate::error::ApiError;
use crate::extract::AnyAuth;
use crate::state::AppState;

/// One of the merchant's events with its delivery log.
#[utoipa::path(get, path = "/v1/events/{id}", tag = "merchants",
    params(("id" = String, Path, description = "`evt_...`")),
    responses((status = 200, body = EventView), (status = 404, description = "resource_missing")))]
pub async fn get_event(
    State(state): State<AppState>,
    AnyAuth(caller): AnyAuth,
    Path(id): Path<String>,
) -> Result<Json<EventView>, ApiError> {
    let event = state.app.get_event(&caller, &id).await?;
    Ok(Json(EventView::with_deliveries(&event)?))
}
