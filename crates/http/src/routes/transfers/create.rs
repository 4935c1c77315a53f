//! `POST /v1/transfers`: send money to another OKPay user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_app::transfers::TransferRequest;
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
pub struct CreateTransfer {
    /// Recipient email or `usr_` id.
    pub to: String,
    /// Minor units.
    #[schema(value_type = i64)]
    pub amount: Value,
    /// Lowercase ISO code.
    #[schema(value_type = String)]
    pub currency: Value,
    /// Note shown to both parties (≤ 500 characters).
    pub description: Option<String>,
}

/// A transfer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferView {
    /// `tr_...`
    pub id: String,
    /// Always `transfer`.
    pub object: &'static str,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: String,
    /// `succeeded`.
    pub status: String,
    /// Recipient's email.
    pub to: String,
    /// Note.
    pub description: Option<String>,
    /// Sender's history row, `txn_...`.
    pub transaction: String,
    /// RFC 3339.
    pub created_at: String,
}

/// Sends money.
#[utoipa::path(post, path = "/v1/transfers", tag = "wallet", request_body = CreateTransfer,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = TransferView), (status = 402, description = "insufficient_funds")))]
pub async fn create_transfer(
    State(state): State<AppState>,
    Auth(caller): Auth,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(body): JsonBody<CreateTransfer>,
) -> Result<(StatusCode, Json<TransferView>), ApiError> {
    let req = TransferRequest {
        to: body.to,
        amount: money::amount(&body.amount, "amount")?,
        currency: money::currency(&body.currency, "currency")?,
        description: body.description,
    };
    let t = state.app.transfer(&caller, &key, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(TransferView {
            id: t.id,
            object: "transfer",
            amount: t.amount,
            currency: t.currency.code().to_owned(),
            status: t.status,
            to: t.to,
            description: t.description,
            transaction: t.transaction,
            created_at: rfc3339(t.created_at_us),
        }),
    ))
}
