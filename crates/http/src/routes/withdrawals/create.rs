//! `POST /v1/withdrawals`: send money to a saved bank account or card.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::view::WithdrawalView;
use crate::error::ApiError;
use crate::extract::{Auth, IdempotencyKey, JsonBody};
use crate::money;
use crate::state::AppState;

/// Request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWithdrawal {
    /// Minor units paid out (the fee comes on top).
    #[schema(value_type = i64)]
    pub amount: Value,
    /// Lowercase ISO code.
    #[schema(value_type = String)]
    pub currency: Value,
    /// `pm_...` (a bank account or a card).
    pub payment_method: String,
}

/// Withdraws to a saved payment method: amount + fee are held at once; `pending` until the
/// cancel window has passed, then `processing`, then `paid` or `failed`.
#[utoipa::path(post, path = "/v1/withdrawals", tag = "wallet", request_body = CreateWithdrawal,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = WithdrawalView), (status = 402, description = "insufficient_funds")))]
pub async fn create_withdrawal(
    State(state): State<AppState>,
    Auth(caller): Auth,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(body): JsonBody<CreateWithdrawal>,
) -> Result<(StatusCode, Json<WithdrawalView>), ApiError> {
    let amount = money::amount(&body.amount, "amount")?;
    let currency = money::currency(&body.currency, "currency")?;
    let w = state.app.withdraw(&caller, &key, amount, currency, &body.payment_method).await?;
    Ok((StatusCode::CREATED, Json(WithdrawalView::from(&w))))
}
