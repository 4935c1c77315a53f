//! The state every handler gets.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use okpay_app::App;

use crate::rate_limit::RateLimits;

/// Shared by every request: a handle on [`Shared`]. Cloning it is one reference-count
/// increment: axum clones the state for each middleware and extractor of every request, and
/// cloning the fields themselves (the app's dozens of `Arc`s) was ~2 % of the server's CPU in
/// the transfer benchmark (docs/benchmarks.md, session 24).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The handle on `shared`.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every request reads, behind [`AppState`].
pub struct Shared {
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

impl Shared {
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
