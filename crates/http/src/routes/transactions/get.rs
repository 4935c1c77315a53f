//! `GET /v1/transactions/{id}`: one row with its status timeline.

use axum::Json;
use axum::extract::{Path, State};
use okpay_domain::time::rfc3339;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::{StatusChange, TransactionView};

/// One history row.
#[utoipa::path(get, path = "/v1/transactions/{id}", tag = "wallet",
    params(("id" = String, Path, description = "txn_ id")),
    responses((status = 200, body = TransactionView), (status = 404, description = "resource_missing")))]
pub async fn get_transaction(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<Json<TransactionView>, ApiError> {
    let row = state.app.transaction(&caller, &id).await?;
    let mut view = TransactionView::from(&row.line);
    let flags = state.app.flags_for(caller.id(), std::slice::from_ref(&row.line)).await?;
    view.flags = flags.get(&row.line.id).cloned().unwrap_or_default();
    view.status_history =
        Some(row.status_history.into_iter().map(|(status, at)| StatusChange { status, at: rfc3339(at) }).collect());
    Ok(Json(view))
}
