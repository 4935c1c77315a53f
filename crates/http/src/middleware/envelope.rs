//! The outermost layer of every request.
//!
//! Gives the request a `req_` id (the `Request-Id` header and the error body's `request_id`),
//! picks the language, opens the tracing span every log line of the request carries, records
//! metrics, and turns the framework's bare error responses (unknown route, wrong method,
//! oversize body) into the API's error body so no response escapes the contract.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use okpay_app::{AppError, Code};
use okpay_domain::ids::IdKind;
use tracing::Instrument;

use crate::context::{RequestContext, lang_from_headers};
use crate::error::{ApiError, Rendered};
use crate::state::AppState;

/// Response header carrying the request id.
pub const REQUEST_ID: &str = "request-id";

/// The envelope middleware.
pub async fn envelope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let ctx = RequestContext {
        request_id: IdKind::Request.random(),
        lang: lang_from_headers(req.headers()),
        public_url: state.public_url.clone(),
    };
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let span = tracing::info_span!("request", request_id = %ctx.request_id, %method, route = %route);
    let request_id = ctx.request_id.clone();
    let mut response = ctx
        .scope(
            async move {
                let response = next.run(req).await;
                if response.status().as_u16() >= 400 && response.extensions().get::<Rendered>().is_none() {
                    bare_error(response.status()).into_response()
                } else {
                    response
                }
            }
            .instrument(span.clone()),
        )
        .await;
    // A replayed response keeps the request id it was first given.
    if !response.headers().contains_key(REQUEST_ID)
        && let Ok(v) = HeaderValue::from_str(&request_id)
    {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("okpay_http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status.clone()).increment(1);
    metrics::histogram!("okpay_http_request_duration_seconds", "route" => route).record(elapsed);
    span.in_scope(|| tracing::info!(status = %status, elapsed_ms = elapsed * 1000.0, "handled"));
    response
}

fn bare_error(status: StatusCode) -> ApiError {
    let code = match status {
        StatusCode::NOT_FOUND => Code::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => Code::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Code::RequestTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Code::UnsupportedMediaType,
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => Code::ServiceBusy,
        s if s.is_client_error() => Code::ParameterInvalid,
        _ => Code::ApiError,
    };
    ApiError(AppError::new(code).detail(format!("framework response {status}")))
}
