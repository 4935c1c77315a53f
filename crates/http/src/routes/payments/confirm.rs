//! `POST /v1/payments/{id}/confirm`: the signed-in payer pays (session only).

use axum::Json;
use axum::extract::{Path, State};
use okpay_app::payments::PaymentObject;
use serde::Deserialize;
use utoipa::ToSchema;

use super::view::PaymentView;
use crate::error::ApiError;
use crate::extract::{Auth, IdempotencyKey, JsonBody};
use crate::state::AppState;

/// Request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPayment {
    /// `wallet`, or one of the payer's cards (`pm_...`).
    pub payment_method: String,
}

/// Pays the payment: `status: "succeeded"`, or 402 with the reason.
#[utoipa::path(post, path = "/v1/payments/{id}/confirm", tag = "merchants", request_body = ConfirmPayment,
    params(("id" = String, Path, description = "`pay_...`"), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = PaymentView),
        (status = 402, description = "insufficient_funds, payment_method_not_accepted or a card error"),
        (status = 409, description = "payment_already_completed")))]
pub async fn confirm_payment(
    State(state): State<AppState>,
    Auth(caller): Auth,
    IdempotencyKey(key): IdempotencyKey,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ConfirmPayment>,
) -> Result<Json<PaymentObject>, ApiError> {
    let p = state.app.confirm_payment(&caller, &key, &id, body.payment_method.trim()).await?;
    Ok(Json(state.app.payment_object(&p)))
}
