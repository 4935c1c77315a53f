//! `/v1/me/identity-documents` (the owner's uploads) and `/v1/agent/identity-documents`
//! (staff review and download).

pub mod approve;
pub mod download;
pub mod list;
pub mod reject;
pub mod upload;

use std::net::SocketAddr;

use axum::http::{HeaderMap, header};
use okpay_app::sessions::Client;

/// Where a staff request comes from, for the audit trail.
fn client(peer: SocketAddr, headers: &HeaderMap) -> Client {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    Client { user_agent: user_agent.chars().take(256).collect(), ip: peer.ip().to_string() }
}
