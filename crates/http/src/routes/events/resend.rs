//! `POST /v1/events/{id}/resend`: queues one more delivery to the current webhook URL.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::view::EventView;
use crate::error::ApiError;
use crate::extract::AnyAuth;
use crate::state::AppState;

/// Delivers one of the merchant's events again (a new delivery with its own attempts); the
/// answer lists the event's deliveries, the new one last and `pending`.
#[utoipa::path(post, path = "/v1/events/{id}/resend", tag = "merchants",
    params(("id" = String, Path, description = "`evt_...`")),
    responses((status = 202, body = EventView), (status = 404, description = "resource_missing"),
        (status = 409, description = "webhook_not_configured")))]
pub async fn resend_event(
    State(state): State<AppState>,
    AnyAuth(caller): AnyAuth,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<EventView>), ApiError> {
    let event = state.app.resend_event(&caller, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(EventView::with_deliveries(&event)?)))
}
