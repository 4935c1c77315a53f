//! `GET /v1/payment-methods`.

use axum::Json;
use axum::extract::State;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::{List, PaymentMethodView};

/// The caller's payment methods.
#[utoipa::path(get, path = "/v1/payment-methods", tag = "wallet", responses((status = 200, body = List<PaymentMethodView>)))]
pub async fn list_payment_methods(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<List<PaymentMethodView>>, ApiError> {
    let data = state.app.payment_methods(&caller).await?.iter().map(PaymentMethodView::from).collect();
    Ok(Json(List::new(data, false)))
}
