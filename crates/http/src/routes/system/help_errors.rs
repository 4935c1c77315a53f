//! Help for every error code: `GET /v1/help/errors/{code}` (JSON) and the page every
//! `doc_url` points at, `GET /help/errors/{code}` (HTML). Language: `?lang=zh|en`, else
//! `Accept-Language`.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Html;
use okpay_app::{AppError, Code};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::{self, Lang};
use crate::context::lang_from_headers;
use crate::error::ApiError;

/// `?lang=`
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// `zh` or `en`.
    pub lang: Option<String>,
}

/// Help for one code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorHelp {
    /// The code.
    pub code: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What happened.
    pub message: &'static str,
    /// What to do next.
    pub what_to_do: &'static str,
    /// Slug of the help article that covers it.
    pub article: &'static str,
}

fn lang(q: &LangQuery, headers: &HeaderMap) -> Lang {
    match q.lang.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some(l) if l.starts_with("zh") => Lang::Zh,
        Some(_) => Lang::En,
        None => lang_from_headers(headers),
    }
}

/// The help-center article for a code's topic.
pub fn article(code: Code) -> &'static str {
    match code {
        Code::InsufficientFunds | Code::AmountTooSmall => "deposit",
        Code::CardDeclined | Code::IncorrectCvc | Code::ProcessingError | Code::ExpiredCard => "payment-failed",
        Code::PaymentMethodNotAccepted | Code::PaymentAlreadyCompleted | Code::PaymentToSelf => "payment-failed",
        Code::RefundExceedsPayment | Code::PaymentNotRefundable => "transaction-history",
        Code::InvalidCardNumber | Code::InvalidExpiryDate | Code::InvalidCvc | Code::InvalidAccountNumber => {
            "payment-methods"
        }
        Code::AccountLocked => "account-locked",
        Code::InvalidCredentials | Code::SessionExpired | Code::AuthenticationRequired => "login-problems",
        Code::WeakPassword => "reset-password",
        Code::AccountFrozen | Code::AccountClosed | Code::PermissionDenied => "contact-support",
        Code::InvalidDateRange => "transaction-history",
        _ => "error-messages",
    }
}

fn help(code: &str, lang: Lang) -> Result<ErrorHelp, ApiError> {
    let code = Code::parse(code).ok_or_else(|| AppError::new(Code::ResourceMissing).param("code"))?;
    let entry = catalog::entry(code);
    let t = entry.text(lang);
    Ok(ErrorHelp {
        code: code.as_str(),
        title: t.title,
        message: t.message,
        what_to_do: t.what_to_do,
        article: article(code),
    })
}

/// Help for an error code, as JSON.
#[utoipa::path(get, path = "/v1/help/errors/{code}", tag = "help",
    params(("code" = String, Path, description = "error code")),
    responses((status = 200, body = ErrorHelp), (status = 404, description = "unknown code")))]
pub async fn error_help(
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Json<ErrorHelp>, ApiError> {
    help(&code, lang(&q, &headers)).map(Json)
}

/// The page behind every `doc_url`.
pub async fn error_page(
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Html<String>, ApiError> {
    let lang = lang(&q, &headers);
    let h = help(&code, lang)?;
    let (next, article) = match lang {
        Lang::Zh => ("下一步", "相关帮助文章"),
        Lang::En => ("What to do", "Related help article"),
    };
    Ok(Html(format!(
        "<!doctype html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{title} · OKPay</title></head>\
         <body><main><h1>{title}</h1><p><code>{code}</code></p><p>{message}</p><h2>{next}</h2><p>{todo}</p>\
         <p>{article}: <a href=\"/help/articles/{slug}?lang={l}\">{slug}</a></p></main></body></html>",
        l = lang.as_str(),
        title = escape(h.title),
        code = h.code,
        message = escape(h.message),
        todo = escape(h.what_to_do),
        slug = h.article,
    )))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
