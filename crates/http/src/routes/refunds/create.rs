//! `POST /v1/refunds`: refund a payment in part or in full (API key only).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_app::payments::refunds::RefundObject;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{IdempotencyKey, JsonBody, KeyAuth};
use crate::money;
use crate::routes::payments::view::RefundView;
use crate::state::AppState;

/// Request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRefund {
    /// The payment, `pay_...`.
    pub payment: String,
    /// Minor units; default: everything not yet refunded.
    #[schema(value_type = Option<i64>)]
    pub amount: Option<Value>,
}

/// Refunds a payment to where its money came from; the rest of a partial refund stays.
#[utoipa::path(post, path = "/v1/refunds", tag = "merchants", request_body = CreateRefund,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = RefundView), (status = 400, description = "refund_exceeds_payment"),
        (status = 402, description = "insufficient_funds (the merchant's balance)"),
        (status = 404, description = "resource_missing")))]
pub async fn create_refund(
    State(state): State<AppState>,
    KeyAuth(caller): KeyAuth,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(body): JsonBody<CreateRefund>,
) -> Result<(StatusCode, Json<RefundObject>), ApiError> {
    let amount = match &body.amount {
        None | Some(Value::Null) => None,
        Some(v) => Some(money::amount(v, "amount")?),
    };
    let r = state.app.refund_payment(&caller, &key, body.payment.trim(), amount).await?;
    Ok((StatusCode::CREATED, Json(RefundObject::from(&r))))
}
