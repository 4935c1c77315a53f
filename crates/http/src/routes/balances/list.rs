//! `GET /v1/balances`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::List;

/// One currency's balances.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    /// Currency.
    pub currency: String,
    /// Spendable now, minor units.
    pub available: i64,
    /// Incoming, not yet settled.
    pub pending: i64,
    /// Held for outgoing movements in progress.
    pub held: i64,
}

/// The caller's balances.
#[utoipa::path(get, path = "/v1/balances", tag = "wallet", responses((status = 200, body = List<BalanceView>)))]
pub async fn list_balances(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<List<BalanceView>>, ApiError> {
    let data = state
        .app
        .balances(&caller)
        .await?
        .into_iter()
        .map(|b| BalanceView {
            currency: b.currency.code().to_owned(),
            available: b.available,
            pending: b.pending,
            held: b.held,
        })
        .collect();
    Ok(Json(List::new(data, false)))
}
