//! `GET /v1/transactions/export.csv`: the caller's history under the same filters as the list,
//! as CSV, streamed.
//!
//! The body is produced one chunk of rows at a time (each chunk one index range read), so an
//! export of a million rows never sits in memory. The filters are checked and the first chunk
//! read before the 200 goes out, so a bad filter or an unavailable database gets a proper
//! error body; a failure after that aborts the transfer (the client sees a broken download,
//! never a silently short file).

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use okpay_app::history::{EXPORT_CHUNK_ROWS, Flags, HistoryQuery};
use okpay_app::{App, ports::HistoryFilter};
use okpay_domain::time::{now_us, rfc3339};
use okpay_ledger::StatementLine;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::csv::{HEADER, push_row};
use crate::error::ApiError;
use crate::extract::{Auth, QueryParams};
use crate::state::AppState;

/// Query parameters: the list's filters, without pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportTransactions {
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
}

/// Where an export stands between chunks.
struct Cursor {
    app: App,
    owner: String,
    filter: HistoryFilter,
    /// The last row sent; `None` once the export is complete.
    after: Option<String>,
}

/// The caller's history as CSV, newest first, with a header row.
#[utoipa::path(get, path = "/v1/transactions/export.csv", tag = "wallet", params(ExportTransactions),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_transactions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    QueryParams(q): QueryParams<ExportTransactions>,
) -> Result<Response, ApiError> {
    let query = HistoryQuery { created_from: q.created_from, created_to: q.created_to, kind: q.kind, status: q.status };
    let filter = query.parse()?;
    let (rows, flags) = state.app.export_chunk(caller.id(), &filter, None).await?;
    let mut first = String::from(HEADER);
    let after = render(&mut first, &rows, &flags);
    let cursor = Cursor { app: state.app.clone(), owner: caller.id().to_owned(), filter, after };
    let rest = futures::stream::try_unfold(cursor, |mut c| async move {
        let Some(after) = c.after.take() else { return Ok(None) };
        let (rows, flags) = c.app.export_chunk(&c.owner, &c.filter, Some(&after)).await.map_err(|e| {
            tracing::error!(error = %e, "history export aborted");
            std::io::Error::other(e.to_string())
        })?;
        let mut chunk = String::new();
        c.after = render(&mut chunk, &rows, &flags);
        Ok::<_, std::io::Error>(Some((chunk, c)))
    });
    let body = futures::stream::once(async { Ok::<_, std::io::Error>(first) }).chain(rest);
    let filename = format!("okpay-transactions-{}.csv", &rfc3339(now_us())[..10]);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// Renders `rows` into `out`; returns the cursor for the next chunk (`None` when this one
/// was the last).
fn render(out: &mut String, rows: &[StatementLine], flags: &Flags) -> Option<String> {
    for row in rows {
        push_row(out, row, flags.get(&row.id).map_or(&[], Vec::as_slice));
    }
    (rows.len() == EXPORT_CHUNK_ROWS as usize).then(|| rows.last().map(|r| r.id.clone())).flatten()
}
