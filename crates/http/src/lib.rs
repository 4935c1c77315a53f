//! OKPay's HTTP API (API.md).
//!
//! * [`router`] builds the axum router: one file per action under `routes/<resource>/`, each
//!   with its `#[utoipa::path]`, so `/openapi.json` is generated from the code.
//! * Errors: handlers return [`error::ApiError`] (from `okpay_app::AppError`); it is rendered
//!   once, in the caller's language, with the request id (see [`context`]).
//! * Layers, outermost first: [`middleware::envelope`] (request id, language, logs, metrics,
//!   uniform errors), panic catcher, body limit, [`middleware::rate_limit`] (per-IP budgets of
//!   the security endpoints, [`rate_limit`]), [`middleware::idempotency`].
//! * [`serve`] runs the router on a listener until a shutdown future completes, so tests bind
//!   port 0 and the binary binds `OKPAY_LISTEN`.

pub mod body;
pub mod catalog;
pub mod context;
pub mod csv;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod money;
pub mod rate_limit;
pub mod routes;
pub mod state;
pub mod views;

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Html;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use state::AppState;

use routes::{
    agent, api_keys, balances, checkout, closure_requests, deposits, events, identity_documents, me, merchant,
    password_resets, payment_methods, payments, refunds, sessions, system, transactions, transfers, users, withdrawals,
};

#[derive(OpenApi)]
#[openapi(info(title = "OKPay API", version = "1", description = "The public HTTP contract of OKPay (API.md)."))]
struct ApiDoc;

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes(state::upload_body_limit(okpay_app::AppConfig::default().max_document_bytes)).split_for_parts().1
}

/// Every API route; uploads may be up to `upload_body_limit` bytes, other bodies up to the
/// router's `max_body_bytes`.
fn api_routes(upload_body_limit: usize) -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(
            identity_documents::upload::upload_identity_document,
            identity_documents::list::list_identity_documents
        ))
        // The handler enforces the real limit on the file and drains a little past it (see
        // `body`); this bound only stops reading an absurdly large body.
        .layer(DefaultBodyLimit::max(body::drain_limit(upload_body_limit)));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(uploads)
        .routes(routes!(identity_documents::approve::approve_identity_document))
        .routes(routes!(identity_documents::reject::reject_identity_document))
        .routes(routes!(identity_documents::download::download_identity_document))
        .routes(routes!(users::create::create_user))
        .routes(routes!(users::verify_email::verify_email))
        .routes(routes!(users::unlock::unlock))
        .routes(routes!(password_resets::create::create_password_reset))
        .routes(routes!(password_resets::confirm::confirm_password_reset))
        .routes(routes!(
            sessions::create::create_session,
            sessions::list::list_sessions,
            sessions::delete_others::delete_other_sessions
        ))
        .routes(routes!(sessions::delete_current::delete_current_session))
        .routes(routes!(sessions::delete::delete_session))
        .routes(routes!(me::get::get_me, me::update::update_me))
        .routes(routes!(me::support_pin::create_support_pin))
        .routes(routes!(me::totp_begin::begin_totp, me::totp_disable::disable_totp))
        .routes(routes!(me::totp_confirm::confirm_totp))
        .routes(routes!(
            closure_requests::create::create_closure_request,
            closure_requests::list::list_closure_requests
        ))
        .routes(routes!(agent::closure_decide::approve_closure_request))
        .routes(routes!(agent::closure_decide::reject_closure_request))
        .routes(routes!(balances::list::list_balances))
        .routes(routes!(payment_methods::create::create_payment_method, payment_methods::list::list_payment_methods))
        .routes(routes!(deposits::create::create_deposit))
        .routes(routes!(transfers::create::create_transfer))
        .routes(routes!(withdrawals::quote::quote_withdrawal))
        .routes(routes!(withdrawals::create::create_withdrawal, withdrawals::list::list_withdrawals))
        .routes(routes!(withdrawals::get::get_withdrawal))
        .routes(routes!(withdrawals::cancel::cancel_withdrawal))
        .routes(routes!(transactions::list::list_transactions))
        .routes(routes!(transactions::export::export_transactions))
        .routes(routes!(transactions::get::get_transaction))
        .routes(routes!(api_keys::create::create_api_key, api_keys::list::list_api_keys))
        .routes(routes!(api_keys::delete::delete_api_key))
        .routes(routes!(merchant::get::get_merchant, merchant::update::update_merchant))
        .routes(routes!(payments::create::create_payment, payments::list::list_payments))
        .routes(routes!(payments::get::get_payment))
        .routes(routes!(payments::confirm::confirm_payment))
        .routes(routes!(refunds::create::create_refund))
        .routes(routes!(refunds::get::get_refund))
        .routes(routes!(events::list::list_events))
        .routes(routes!(events::get::get_event))
        .routes(routes!(events::resend::resend_event))
        .routes(routes!(agent::users_status::freeze))
        .routes(routes!(agent::users_status::unfreeze))
        .routes(routes!(agent::users_status::unlock))
        .routes(routes!(agent::audit_log::audit_log))
        .routes(routes!(system::help_errors::error_help))
        .routes(routes!(system::health::healthz))
        .routes(routes!(system::metrics::metrics))
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (api, spec) = api_routes(state.upload_body_limit()).split_for_parts();
    let spec_json = serde_json::to_value(&spec).unwrap_or_default();
    let docs = docs_page(&spec);
    Router::new()
        .merge(api)
        .route("/openapi.json", get(move || async move { axum::Json(spec_json) }))
        .route("/docs", get(move || async move { Html(docs) }))
        .route("/help/errors/{code}", get(system::help_errors::error_page))
        .route("/checkout/{id}", get(checkout::page::checkout_page))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::idempotency::idempotency))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::rate_limit::rate_limit))
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::envelope::envelope))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Installs the process-wide Prometheus recorder (once) and returns its handle.
pub fn install_metrics() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .clone()
}

fn docs_page(spec: &utoipa::openapi::OpenApi) -> String {
    let mut rows = String::new();
    for (path, item) in &spec.paths.paths {
        let ops = [("GET", &item.get), ("POST", &item.post), ("PATCH", &item.patch), ("DELETE", &item.delete)];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op.summary.clone().or_else(|| op.description.clone()).unwrap_or_default();
                rows.push_str(&format!("<tr><td>{method}</td><td><code>{path}</code></td><td>{summary}</td></tr>"));
            }
        }
    }
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>OKPay API</title></head><body>\
         <h1>OKPay API v1</h1><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a></p>\
         <table>{rows}</table></body></html>"
    )
}
