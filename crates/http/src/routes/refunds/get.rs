//! `GET /v1/refunds/{id}`: one of the merchant's refunds (session or API key).

use axum::Json;
use axum::extract::{Path, State};
use okpay_app::payments::refunds::RefundObject;

use crate::error::ApiError;
use crate::extract::AnyAuth;
use crate::routes::payments::view::RefundView;
use crate::state::AppState;

/// One refund.
#[utoipa::path(get, path = "/v1/refunds/{id}", tag = "merchants",
    params(("id" = String, Path, description = "`re_...`")),
    responses((status = 200, body = RefundView), (status = 404, description = "resource_missing")))]
pub async fn get_refund(
    State(state): State<AppState>,
    AnyAuth(caller): AnyAuth,
    Path(id): Path<String>,
) -> Result<Json<RefundObject>, ApiError> {
    let r = state.app.refund_for(&caller, &id).await?;
    Ok(Json(RefundObject::from(&r)))
}
