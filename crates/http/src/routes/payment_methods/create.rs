//! `POST /v1/payment-methods`: link a card or a bank account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_app::payment_methods::{BankInput, CardInput};
use okpay_app::{AppError, Code};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;
use crate::views::PaymentMethodView;

/// Card details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardParams {
    /// Number (spaces and dashes allowed).
    pub number: String,
    /// 1–12.
    pub exp_month: i64,
    /// Year.
    pub exp_year: i64,
    /// Security code.
    pub cvc: String,
    /// Name on the card.
    pub holder_name: String,
}

/// Bank account details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankParams {
    /// ISO country.
    pub country: String,
    /// Account number or IBAN.
    pub account_number: String,
    /// Holder.
    pub holder_name: String,
    /// Bank name.
    pub bank_name: Option<String>,
}

/// Request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentMethod {
    /// `card` or `bank_account`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For cards.
    pub card: Option<CardParams>,
    /// For bank accounts.
    pub bank_account: Option<BankParams>,
}

/// Links a payment method.
#[utoipa::path(post, path = "/v1/payment-methods", tag = "wallet", request_body = CreatePaymentMethod,
    responses((status = 201, body = PaymentMethodView)))]
pub async fn create_payment_method(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody<CreatePaymentMethod>,
) -> Result<(StatusCode, Json<PaymentMethodView>), ApiError> {
    let record = match (body.kind.as_str(), body.card, body.bank_account) {
        ("card", Some(c), None) => {
            let input = CardInput {
                number: c.number,
                exp_month: c.exp_month,
                exp_year: c.exp_year,
                cvc: c.cvc,
                holder_name: c.holder_name,
            };
            state.app.add_card(&caller, input).await?
        }
        ("bank_account", None, Some(b)) => {
            let input = BankInput {
                country: b.country,
                account_number: b.account_number,
                holder_name: b.holder_name,
                bank_name: b.bank_name,
            };
            state.app.add_bank_account(&caller, input).await?
        }
        ("card", None, _) => return Err(AppError::new(Code::ParameterMissing).param("card").into()),
        ("bank_account", _, None) => return Err(AppError::new(Code::ParameterMissing).param("bank_account").into()),
        ("card" | "bank_account", _, _) => return Err(AppError::new(Code::ParameterUnknown).param("type").into()),
        _ => return Err(AppError::new(Code::ParameterInvalid).param("type").into()),
    };
    Ok((StatusCode::CREATED, Json(PaymentMethodView::from(&record))))
}
