//! `GET /v1/payments`: the merchant's payments, newest first (session or API key).

use axum::Json;
use axum::extract::State;
use okpay_app::payments::PaymentObject;

use super::view::PaymentView;
use crate::error::ApiError;
use crate::extract::query::Pagination;
use crate::extract::{AnyAuth, QueryParams};
use crate::state::AppState;
use crate::views::List;

/// The merchant's payments, newest first.
#[utoipa::path(get, path = "/v1/payments", tag = "merchants", params(Pagination),
    responses((status = 200, body = List<PaymentView>), (status = 403, description = "permission_denied")))]
pub async fn list_payments(
    State(state): State<AppState>,
    AnyAuth(caller): AnyAuth,
    QueryParams(q): QueryParams<Pagination>,
) -> Result<Json<List<PaymentObject>>, ApiError> {
    let limit = q.limit()?;
    let page = state.app.list_payments(&caller, q.starting_after.as_deref(), limit).await?;
    let data = page.payments.iter().map(|p| state.app.payment_object(p)).collect();
    Ok(Json(List::new(data, page.has_more)))
}
