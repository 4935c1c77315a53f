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
