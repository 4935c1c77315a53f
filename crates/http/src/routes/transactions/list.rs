//! `GET /v1/transactions`: history with filters and cursor pagination.

use axum::Json;
use axum::extract::State;
use okpay_app::history::HistoryQuery;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::extract::query::Pagination;
use crate::extract::{Auth, QueryParams};
use crate::state::AppState;
use crate::views::{List, TransactionView};

/// Query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListTransactions {
    /// RFC 3339 or `YYYY-MM-DD`, inclusive.
    pub created_from: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD` (the whole day), exclusive.
    pub created_to: Option<String>,
    /// Row type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Row status.
    pub status: Option<String>,
    /// 1–100.
    pub limit: Option<i64>,
    /// Continue after this `txn_` id.
    pub starting_after: Option<String>,
}

/// The caller's history, newest first.
#[utoipa::path(get, path = "/v1/transactions", tag = "wallet", params(ListTransactions),
    responses((status = 200, body = List<TransactionView>)))]
pub async fn list_transactions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    QueryParams(q): QueryParams<ListTransactions>,
) -> Result<Json<List<TransactionView>>, ApiError> {
    let limit = Pagination { limit: q.limit, starting_after: None }.limit()?;
    let query = HistoryQuery { created_from: q.created_from, created_to: q.created_to, kind: q.kind, status: q.status };
    let page = state.app.history(&caller, &query, q.starting_after.as_deref(), limit).await?;
    let data = page
        .rows
        .iter()
        .map(|row| {
            let mut view = TransactionView::from(row);
            view.flags = page.flags.get(&row.id).cloned().unwrap_or_default();
            view
        })
        .collect();
    Ok(Json(List::new(data, page.has_more)))
}
