//! `GET /v1/withdrawals/quote`: the fee and arrival of a withdrawal before making it.

use axum::Json;
use axum::extract::State;
use okpay_app::{AppError, Code};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::view::QuoteView;
use crate::error::ApiError;
use crate::extract::{Auth, QueryParams};
use crate::money;
use crate::state::AppState;

/// Query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuoteQuery {
    /// Minor units.
    pub amount: Option<String>,
    /// Lowercase ISO code.
    pub currency: Option<String>,
    /// `pm_...` (a bank account or a card).
    pub payment_method: Option<String>,
}

/// The fee, total and estimated arrival of withdrawing `amount` to a saved payment method.
#[utoipa::path(get, path = "/v1/withdrawals/quote", tag = "wallet", params(QuoteQuery),
    responses((status = 200, body = QuoteView), (status = 404, description = "resource_missing")))]
pub async fn quote_withdrawal(
    State(state): State<AppState>,
    Auth(caller): Auth,
    QueryParams(q): QueryParams<QuoteQuery>,
) -> Result<Json<QuoteView>, ApiError> {
    let amount = money::amount_text(q.amount.as_deref().unwrap_or_default(), "amount")?;
    let currency = money::currency(&q.currency.map_or(Value::Null, Value::String), "currency")?;
    let pm = q.payment_method.ok_or_else(|| AppError::new(Code::ParameterMissing).param("payment_method"))?;
    let quote = state.app.withdrawal_quote(&caller, amount, currency, &pm).await?;
    Ok(Json(QuoteView::from(&quote)))
}
