//! `GET /v1/payments/{id}`: one payment (its merchant; or a signed-in payer holding the id).

use axum::Json;
use axum::extract::{Path, State};
use okpay_app::payments::PaymentObject;

use super::view::PaymentView;
use crate::error::ApiError;
use crate::extract::AnyAuth;
use crate::state::AppState;

/// One payment.
#[utoipa::path(get, path = "/v1/payments/{id}", tag = "merchants",
    params(("id" = String, Path, description = "`pay_...`")),
    responses((status = 200, body = PaymentView), (status = 404, description = "resource_missing")))]
pub async fn get_payment(
    State(state): State<AppState>,
    AnyAuth(caller): AnyAuth,
    Path(id): Path<String>,
) -> Result<Json<PaymentObject>, ApiError> {
    let p = state.app.payment_for(&caller, &id).await?;
    Ok(Json(state.app.payment_object(&p)))
}
