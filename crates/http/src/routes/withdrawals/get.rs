//! `GET /v1/withdrawals/{id}`: one of the caller's withdrawals.

use axum::Json;
use axum::extract::{Path, State};

use super::view::WithdrawalView;
use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// One withdrawal.
#[utoipa::path(get, path = "/v1/withdrawals/{id}", tag = "wallet",
    params(("id" = String, Path, description = "`wd_...`")),
    responses((status = 200, body = WithdrawalView), (status = 404, description = "resource_missing")))]
pub async fn get_withdrawal(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<Json<WithdrawalView>, ApiError> {
    Ok(Json(WithdrawalView::from(&state.app.withdrawal(&caller, &id).await?)))
}
