//! The state every handler gets.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use okpay_app::App;

use crate::rate_limit::RateLimits;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// `OKPAY_PUBLIC_URL`.
    pub public_url: Arc<str>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Renders `/metrics`.
    pub metrics: Option<PrometheusHandle>,
    /// Per-IP budgets of the security endpoints; `None` when `OKPAY_RATE_LIMIT=off`.
    pub rate_limits: Option<Arc<RateLimits>>,
}

/// Room for a multipart body's boundaries, headers and the `kind` field around the file.
pub const MULTIPART_OVERHEAD_BYTES: usize = 64 * 1024;

impl AppState {
    /// Largest body of an upload: the largest file plus multipart overhead. A larger body is
    /// answered `file_too_large` after being drained (see [`crate::body`]).
    pub fn upload_body_limit(&self) -> usize {
        upload_body_limit(self.app.config.max_document_bytes)
    }
}

/// [`AppState::upload_body_limit`] for a largest file of `max_file_bytes`.
pub fn upload_body_limit(max_file_bytes: usize) -> usize {
    max_file_bytes.saturating_add(MULTIPART_OVERHEAD_BYTES)
}
