//! `POST /v1/deposits`: add money from a saved card.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, IdempotencyKey, JsonBody};
use crate::money;
use crate::state::AppState;

/// Request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDeposit {
    /// Minor units.
    #[schema(value_type = i64)]
    pub amount: Value,
    /// Lowercase ISO code.
    #[schema(value_type = String)]
    pub currency: Value,
    /// `pm_...` (a card).
    pub payment_method: String,
}

/// A deposit.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepositView {
    /// `dep_...`
    pub id: String,
    /// Always `deposit`.
    pub object: &'static str,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: String,
    /// `succeeded`, `pending` or `failed`.
    pub status: String,
    /// `pm_...`
    pub payment_method: String,
    /// History row, `txn_...`.
    pub transaction: String,
    /// RFC 3339.
    pub created_at: String,
}

/// Deposits from a card; settles at once or fails with the card's error.
#[utoipa::path(post, path = "/v1/deposits", tag = "wallet", request_body = CreateDeposit,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = DepositView), (status = 402, description = "card error")))]
pub async fn create_deposit(
    State(state): State<AppState>,
    Auth(caller): Auth,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(body): JsonBody<CreateDeposit>,
) -> Result<(StatusCode, Json<DepositView>), ApiError> {
    let amount = money::amount(&body.amount, "amount")?;
    let currency = money::currency(&body.currency, "currency")?;
    let d = state.app.deposit(&caller, &key, amount, currency, &body.payment_method).await?;
    Ok((
        StatusCode::CREATED,
        Json(DepositView {
            id: d.id,
            object: "deposit",
            amount: d.amount,
            currency: d.currency.code().to_owned(),
            status: d.status,
            payment_method: d.payment_method,
            transaction: d.transaction,
            created_at: rfc3339(d.created_at_us),
        }),
    ))
}
