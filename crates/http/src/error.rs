//! The API error body (API.md §1), rendered once from an [`AppError`].
//!
//! Handlers and extractors return `Result<_, ApiError>`; `?` converts any `AppError`. The body
//! is rendered immediately in the current request's language with its request id. Internal
//! details are logged here and never returned.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use okpay_app::{AppError, Code, Details};
use serde_json::{Value, json};

use okpay_domain::limits::{Breach, Movement, Period};
use okpay_domain::time::rfc3339;

use crate::catalog::{self, ErrorType, Lang};
use crate::context::RequestContext;

/// An error on its way to becoming an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<Code> for ApiError {
    fn from(c: Code) -> Self {
        ApiError(AppError::new(c))
    }
}

/// Marks a response whose error body was rendered by [`ApiError`].
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// Seconds a client should wait before retrying an overloaded request.
const RETRY_AFTER_SECS: &str = "1";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ctx = RequestContext::current();
        let e = self.0;
        let entry = catalog::entry(e.code);
        if entry.kind == ErrorType::Api {
            tracing::error!(code = e.code.as_str(), detail = e.detail.as_deref().unwrap_or(""), "request failed");
        } else if let Some(d) = &e.detail {
            tracing::info!(code = e.code.as_str(), detail = d.as_str(), "request refused");
        }
        let status = StatusCode::from_u16(entry.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body(&e, &ctx))).into_response();
        response.extensions_mut().insert(Rendered);
        if matches!(e.code, Code::RateLimited | Code::ServiceBusy) {
            response.headers_mut().insert("retry-after", HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        response
    }
}

/// One sentence naming a breached limit, what is left and when it resets.
fn limit_sentence(b: &Breach, lang: Lang) -> String {
    let (limit, left, at) =
        (b.currency.format(b.limit_minor), b.currency.format(b.remaining_minor()), rfc3339(b.resets_at_us));
    match lang {
        Lang::En => {
            let what = match b.movement {
                Movement::Deposit => "deposits",
                Movement::Transfer => "transfers and payments",
                Movement::Withdrawal => "withdrawals",
            };
            format!("Your {} limit for {what} is {limit}; {left} is left. It resets at {at}.", b.period.adjective())
        }
        Lang::Zh => {
            let what = match b.movement {
                Movement::Deposit => "充值",
                Movement::Transfer => "转账和付款",
                Movement::Withdrawal => "提现",
            };
            let period = match b.period {
                Period::Day => "每日",
                Period::Month => "每月",
            };
            format!("您的{what}{period}限额为 {limit}，剩余 {left}，将于 {at} 重置。")
        }
    }
}

/// The JSON error body for `e` in the context's language.
pub fn body(e: &AppError, ctx: &RequestContext) -> Value {
    let entry = catalog::entry(e.code);
    let text = entry.text(ctx.lang);
    let mut message = text.message.to_owned();
    if let Some(extra) = e.reason.and_then(|r| catalog::reason_text(r, ctx.lang)) {
        message.push(' ');
        message.push_str(extra);
    }
    let mut err = json!({
        "type": entry.kind.as_str(),
        "code": e.code.as_str(),
        "message": message,
        "doc_url": format!("{}/help/errors/{}", ctx.public_url.trim_end_matches('/'), e.code.as_str()),
        "request_id": ctx.request_id,
    });
    if let Some(p) = &e.param {
        err["param"] = json!(p);
    }
    if let Some(d) = e.decline_code {
        err["decline_code"] = json!(d);
    }
    if let Some(details) = &e.details {
        match details.as_ref() {
            Details::Blockers(list) => {
                let blockers: Vec<Value> = list
                    .iter()
                    .map(|b| json!({"type": b.kind.as_str(), "currency": b.currency, "amount": b.amount_minor}))
                    .collect();
                err["blockers"] = json!(blockers);
            }
            Details::Limit(b) => {
                err["message"] = json!(format!("{message} {}", limit_sentence(b, ctx.lang)));
                err["limit"] = json!({
                    "name": b.name(),
                    "period": b.period.as_str(),
                    "currency": b.currency.code(),
                    "limit": b.limit_minor,
                    "used": b.used_minor,
                    "remaining": b.remaining_minor(),
                    "resets_at": rfc3339(b.resets_at_us),
                });
            }
        }
    }
    json!({ "error": err })
}
