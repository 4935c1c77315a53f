//! Where a request comes from (peer IP and User-Agent), for sessions and the audit trail.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use okpay_app::sessions::Client;

/// Longest User-Agent kept, in characters.
const MAX_USER_AGENT_CHARS: usize = 256;

/// The request's [`Client`]: the socket peer's IP (empty if unknown) and its User-Agent.
#[derive(Debug, Clone)]
pub struct ClientInfo(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default();
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(MAX_USER_AGENT_CHARS)
            .collect();
        Ok(ClientInfo(Client { user_agent, ip }))
    }
}
