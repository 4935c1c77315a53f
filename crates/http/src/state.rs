//! The state every handler gets.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use okpay_app::App;

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
}
