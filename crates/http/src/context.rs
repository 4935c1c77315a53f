//! Per-request context (request id, language), available anywhere in the request's task.
//!
//! The envelope middleware sets it; [`crate::error::ApiError`] reads it to render the error
//! body in the caller's language with the request id, at the one place errors become HTTP.

use axum::http::HeaderMap;

use crate::catalog::Lang;

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// What every part of a request may need to know about it.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// `req_...`, also the `Request-Id` header.
    pub request_id: String,
    /// Language of messages.
    pub lang: Lang,
    /// `OKPAY_PUBLIC_URL`, for `doc_url`.
    pub public_url: std::sync::Arc<str>,
}

impl RequestContext {
    /// The current request's context; outside a request (tests, tasks), a placeholder.
    pub fn current() -> RequestContext {
        CONTEXT.try_with(Clone::clone).unwrap_or_else(|_| RequestContext {
            request_id: "req_none".into(),
            lang: Lang::En,
            public_url: "http://127.0.0.1:8080".into(),
        })
    }

    /// Runs `f` with this context.
    pub async fn scope<F: Future>(self, f: F) -> F::Output {
        CONTEXT.scope(self, f).await
    }
}

/// The language asked for by `Accept-Language`: Chinese if the preferred tag is `zh*`.
pub fn lang_from_headers(headers: &HeaderMap) -> Lang {
    let Some(value) = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Lang::En;
    };
    let mut best: Option<(f32, &str)> = None;
    for part in value.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        if !tag.is_empty() && q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, tag));
        }
    }
    match best {
        Some((_, tag)) if tag.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn lang(v: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::ACCEPT_LANGUAGE, HeaderValue::from_str(v).expect("header"));
        lang_from_headers(&h)
    }

    #[test]
    fn picks_the_preferred_language() {
        assert_eq!(lang("zh-CN"), Lang::Zh);
        assert_eq!(lang("zh"), Lang::Zh);
        assert_eq!(lang("en-US,zh;q=0.5"), Lang::En);
        assert_eq!(lang("fr;q=0.4, zh-TW;q=0.9"), Lang::Zh);
        assert_eq!(lang("de"), Lang::En);
        assert_eq!(lang_from_headers(&HeaderMap::new()), Lang::En);
    }
}
