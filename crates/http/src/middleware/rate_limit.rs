//! Per-IP budgets on the unauthenticated security endpoints (see [`crate::rate_limit`]).
//!
//! Runs inside the envelope (so the refusal has a request id and the caller's language) and
//! before everything else: a refused request reads no body, authenticates nothing, claims no
//! idempotency key and counts no failed sign-in. The answer depends only on the client's
//! address and the route, never on the body, so it cannot tell whether an email is registered.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use okpay_app::Code;

use crate::error::ApiError;
use crate::rate_limit::Group;
use crate::state::AppState;

/// The rate-limit middleware.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(limits) = state.rate_limits.as_deref() else {
        return next.run(req).await;
    };
    let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
    let Some(group) = route.and_then(|r| Group::of(req.method(), r)) else {
        return next.run(req).await;
    };
    // Served without `into_make_service_with_connect_info` (some tests) there is no peer
    // address; nothing can be counted then.
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return next.run(req).await;
    };
    match limits.check(group, peer.ip()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            metrics::counter!("okpay_rate_limited_total", "group" => group.as_str()).increment(1);
            tracing::info!(group = group.as_str(), wait_ms = wait.as_millis() as u64, "rate limited");
            too_many_requests(retry_after_secs(wait))
        }
    }
}

/// Whole seconds to wait, rounded up and at least 1 (`Retry-After: 0` would invite a retry
/// storm, and a fraction is not allowed by RFC 9110).
fn retry_after_secs(wait: std::time::Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

fn too_many_requests(retry_after_secs: u64) -> Response {
    let mut response = ApiError::from(Code::RateLimited).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(20)), 20);
        assert_eq!(retry_after_secs(Duration::from_millis(20_001)), 21);
    }

    #[test]
    fn the_refusal_is_the_standard_rate_limited_error() {
        let r = too_many_requests(17);
        assert_eq!(r.status().as_u16(), 429);
        assert_eq!(r.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("17"));
    }
}
