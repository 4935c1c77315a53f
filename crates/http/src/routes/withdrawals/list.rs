//! `GET /v1/withdrawals`: the caller's withdrawals, newest first.

use axum::Json;
use axum::extract::State;

use super::view::WithdrawalView;
use crate::error::ApiError;
use crate::extract::query::Pagination;
use crate::extract::{Auth, QueryParams};
use crate::state::AppState;
use crate::views::List;

/// The caller's withdrawals, newest first.
#[utoipa::path(get, path = "/v1/withdrawals", tag = "wallet", params(Pagination),
    responses((status = 200, body = List<WithdrawalView>), (status = 404, description = "unknown starting_after")))]
pub async fn list_withdrawals(
    State(state): State<AppState>,
    Auth(caller): Auth,
    QueryParams(q): QueryParams<Pagination>,
) -> Result<Json<List<WithdrawalView>>, ApiError> {
    let limit = q.limit()?;
    let page = state.app.withdrawals(&caller, q.starting_after.as_deref(), limit).await?;
    Ok(Json(List::new(page.rows.iter().map(WithdrawalView::from).collect(), page.has_more)))
}
