//! The checkout page's handler and HTML.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use okpay_domain::ids::random_token;

use super::SCRIPT;
use super::texts::{Texts, texts};
use crate::catalog::Lang;
use crate::context::lang_from_headers;
use crate::error::{ApiError, Rendered};
use crate::state::AppState;

/// What the page shows and its script needs.
#[derive(Debug, serde::Serialize)]
struct PageData<'a> {
    id: &'a str,
    status: &'a str,
    return_url: Option<&'a str>,
    wallet: bool,
    card: bool,
    lang: &'static str,
    currency: &'a str,
    exponent: u32,
    t: &'static Texts,
}

/// `GET /checkout/{id}`.
pub async fn checkout_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang_from_headers(&headers);
    let t = texts(lang);
    let nonce = random_token(16);
    let Some(checkout) = state.app.checkout(&id).await? else {
        let body = format!("<h1>{}</h1><p>{}</p>", escape(t.not_found_title), escape(t.not_found));
        return Ok(respond(StatusCode::NOT_FOUND, &layout(lang, t.not_found_title, &body, "", &nonce), &nonce));
    };
    let p = &checkout.payment;
    let data = PageData {
        id: &p.id,
        status: &p.status,
        return_url: p.return_url.as_deref(),
        wallet: checkout.accepts_wallet,
        card: checkout.accepts_card,
        lang: lang.as_str(),
        currency: p.currency.code(),
        exponent: p.currency.exponent(),
        t,
    };
    let json = serde_json::to_string(&data).map_err(|e| okpay_app::AppError::internal(format!("page data: {e}")))?;
    let amount = p.currency.format(p.amount_minor);
    let description =
        p.description.as_deref().map(|d| format!("<p class=\"desc\">{}</p>", escape(d))).unwrap_or_default();
    let form = if p.status == "requires_payment" {
        format!(
            "<form id=\"signin\"><h2>{sign_in}</h2><label>{email}<input name=\"email\" type=\"email\" \
             autocomplete=\"email\" required></label><label>{password}<input name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required></label><label id=\"otp\" hidden>{otp}<input name=\"otp\" \
             inputmode=\"numeric\" autocomplete=\"one-time-code\"></label><button>{sign_in}</button></form>\
             <form id=\"pay\" hidden><fieldset id=\"methods\"></fieldset><button>{pay} {amount}</button></form>",
            sign_in = escape(t.sign_in),
            email = escape(t.email),
            password = escape(t.password),
            otp = escape(t.otp),
            pay = escape(t.pay),
            amount = escape(&amount),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<p class=\"to\">{pay_to} <strong id=\"merchant\">{merchant}</strong></p><p class=\"amount\" \
         id=\"amount\">{amount}</p>{description}<p>{status_label}: <span id=\"status\">{status}</span></p>{form}\
         <p id=\"message\" role=\"status\"></p>",
        pay_to = escape(t.pay_to),
        merchant = escape(&checkout.merchant_name),
        amount = escape(&amount),
        status_label = escape(t.status_label),
        status = escape(t.status(&p.status)),
    );
    let data_script = format!("<script type=\"application/json\" id=\"data\">{}</script>", json_in_html(&json));
    Ok(respond(StatusCode::OK, &layout(lang, t.title, &body, &data_script, &nonce), &nonce))
}

fn layout(lang: Lang, title: &str, body: &str, data: &str, nonce: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title} · OKPay</title><style>{css}</style></head>\
         <body><main><h1 class=\"brand\">OKPay</h1>{body}</main>{data}<script nonce=\"{nonce}\">{SCRIPT}</script>\
         </body></html>",
        l = lang.as_str(),
        title = escape(title),
        css = CSS,
    )
}

fn respond(status: StatusCode, html: &str, nonce: &str) -> Response {
    let mut response = (status, Html(html.to_owned())).into_response();
    let h = response.headers_mut();
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; connect-src 'self'; \
         form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The envelope leaves a response it did not render alone only if it carries this mark.
    response.extensions_mut().insert(Rendered);
    response
}

/// JSON placed inside `<script type="application/json">`: no `<`, `>` or `&` can end the element.
fn json_in_html(json: &str) -> String {
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

const CSS: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;color:#1d2330}\
main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:12px;\
box-shadow:0 2px 12px rgba(0,0,0,.08)}.brand{font-size:1rem;color:#2a61d6;margin:0 0 1rem}\
.amount{font-size:2rem;font-weight:700;margin:.25rem 0}.desc{color:#555}label{display:block;margin:.75rem 0}\
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font-size:1rem}\
button{width:100%;padding:.75rem;margin-top:1rem;font-size:1rem;background:#2a61d6;color:#fff;border:0;\
border-radius:8px;cursor:pointer}button:disabled{opacity:.5}fieldset{border:0;padding:0}\
fieldset label{display:flex;gap:.5rem;align-items:center}fieldset input{width:auto;display:inline}\
#message{min-height:1.5rem;font-weight:600}.error{color:#b3261e}.ok{color:#1e7d32}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let out = json_in_html(r#"{"d":"</script><script>alert(1)</script>&"}"#);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        assert_eq!(escape("<b a=\"x\">'&"), "&lt;b a=&quot;x&quot;&gt;&#39;&amp;");
    }
}
