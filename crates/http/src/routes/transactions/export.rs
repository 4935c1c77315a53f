//! `GET /v1/transactions/export.csv`: the caller's history under the same filters as the list,
//! as CSV, streamed.
//!
//! The body is produced one chunk of rows at a time (each chunk one index range read, starting
//! right after the last row of the chunk before), so an export of a million rows never sits in
//! memory. While one chunk is rendered and sent, the next is already being read, so the
//! database and the rendering work at the same time. The filters are checked and the first
//! chunk read before the 200 goes out, so a bad filter or an unavailable database gets a
//! proper error body; a failure after that aborts the transfer (the client sees a broken
//! download, never a silently short file).

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use okpay_app::history::{EXPORT_CHUNK_ROWS, Flags, HistoryQuery};
use okpay_app::ports::{HistoryFilter, HistoryPosition};
use okpay_app::{App, AppError};
use okpay_domain::time::{now_us, rfc3339};
use okpay_ledger::StatementLine;
use serde::Deserialize;
use tokio::task::JoinHandle;
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

/// A chunk being read.
type Chunk = Result<(Vec<StatementLine>, Flags), AppError>;

/// The read of the next chunk, running while the current one is rendered and sent; cancelled
/// if the download is abandoned.
struct Prefetch(JoinHandle<Chunk>);

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts reading the chunk after `rows` if `rows` was a full chunk (a shorter one is the last).
fn prefetch(app: &App, owner: &str, filter: &HistoryFilter, rows: &[StatementLine]) -> Option<Prefetch> {
    if rows.len() < EXPORT_CHUNK_ROWS as usize {
        return None;
    }
    let after = HistoryPosition::of(rows.last()?);
    let (app, owner, filter) = (app.clone(), owner.to_owned(), filter.clone());
    Some(Prefetch(tokio::spawn(async move { app.export_chunk(&owner, &filter, Some(&after)).await })))
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
    let app = state.app.clone();
    let owner = caller.id().to_owned();
    let (rows, flags) = app.export_chunk(&owner, &filter, None).await?;
    let next = prefetch(&app, &owner, &filter, &rows);
    let mut first = String::with_capacity(HEADER.len() + rows.len() * ROW_BYTES_GUESS);
    first.push_str(HEADER);
    render(&mut first, &rows, &flags);
    drop(rows);
    let rest = futures::stream::try_unfold(next, move |next| {
        let (app, owner, filter) = (app.clone(), owner.clone(), filter.clone());
        async move {
            let Some(mut pending) = next else { return Ok(None) };
            let read = (&mut pending.0).await.map_err(|e| {
                tracing::error!(error = %e, "history export read task failed");
                std::io::Error::other(e.to_string())
            })?;
            let (rows, flags) = read.map_err(|e| {
                tracing::error!(error = %e, "history export aborted");
                std::io::Error::other(e.to_string())
            })?;
            let next = prefetch(&app, &owner, &filter, &rows);
            let mut chunk = String::with_capacity(rows.len() * ROW_BYTES_GUESS);
            render(&mut chunk, &rows, &flags);
            Ok::<_, std::io::Error>(Some((chunk, next)))
        }
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

/// A typical row's length in bytes, to size a chunk's buffer once.
const ROW_BYTES_GUESS: usize = 160;

/// Renders `rows` into `out`.
fn render(out: &mut String, rows: &[StatementLine], flags: &Flags) {
    for row in rows {
        let row_flags = if flags.is_empty() { None } else { flags.get(&row.id) };
        push_row(out, row, row_flags.map_or(&[], Vec::as_slice));
    }
}
