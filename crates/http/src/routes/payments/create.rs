//! `POST /v1/payments`: a merchant asks for a payment (API key only).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_app::payments::{NewPayment, PaymentObject};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::view::PaymentView;
use crate::error::ApiError;
use crate::extract::{JsonBody, KeyAuth, OptionalIdempotencyKey};
use crate::money;
use crate::state::AppState;

/// Request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePayment {
    /// Minor units.
    #[schema(value_type = i64)]
    pub amount: Value,
    /// Lowercase ISO code.
    #[schema(value_type = String)]
    pub currency: Value,
    /// Shown to the payer (at most 500 characters).
    pub description: Option<String>,
    /// Where the checkout page sends the payer afterwards (`http`/`https`).
    pub return_url: Option<String>,
}

/// Creates a payment waiting for its payer (`requires_payment`), with its `checkout_url`.
#[utoipa::path(post, path = "/v1/payments", tag = "merchants", request_body = CreatePayment,
    params(("Idempotency-Key" = Option<String>, Header, description = "optional; a retry gets the same payment")),
    responses((status = 201, body = PaymentView), (status = 401, description = "api_key_required")))]
pub async fn create_payment(
    State(state): State<AppState>,
    KeyAuth(caller): KeyAuth,
    OptionalIdempotencyKey(key): OptionalIdempotencyKey,
    JsonBody(body): JsonBody<CreatePayment>,
) -> Result<(StatusCode, Json<PaymentObject>), ApiError> {
    let req = NewPayment {
        amount: money::amount(&body.amount, "amount")?,
        currency: money::currency(&body.currency, "currency")?,
        description: body.description,
        return_url: body.return_url,
    };
    let p = state.app.create_payment(&caller, key.as_deref(), req).await?;
    Ok((StatusCode::CREATED, Json(state.app.payment_object(&p))))
}
