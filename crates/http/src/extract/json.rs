//! JSON bodies with specific error codes: `unsupported_media_type`, `invalid_json`,
//! `parameter_missing`, `parameter_unknown`, `parameter_invalid` (naming the parameter).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use okpay_app::{AppError, Code};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body deserialised into `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.trim().to_ascii_lowercase().starts_with("application/json"));
        if !is_json {
            return Err(AppError::new(Code::UnsupportedMediaType).into());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::new(Code::RequestTooLarge).detail(e.to_string()))?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses JSON bytes into `T`, classifying failures.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        classify(&path, &inner).into()
    })
}

fn classify(path: &str, e: &serde_json::Error) -> AppError {
    use serde_json::error::Category;
    if !matches!(e.classify(), Category::Data) {
        return AppError::new(Code::InvalidJson).detail(e.to_string());
    }
    let msg = e.to_string();
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    let join = |field: String| if path == "." || path.is_empty() { field } else { format!("{path}[{field}]") };
    if msg.starts_with("missing field") {
        let field = quoted(&msg).unwrap_or_default();
        return AppError::new(Code::ParameterMissing).param(join(field)).detail(msg);
    }
    if msg.starts_with("unknown field") {
        // Here the path already ends with the unknown field.
        return AppError::new(Code::ParameterUnknown).param(bracketed(path)).detail(msg);
    }
    // A top-level array or scalar: the body itself is wrong, not one parameter.
    let param = if path == "." || path.starts_with('[') { None } else { Some(bracketed(path)) };
    let err = AppError::new(Code::ParameterInvalid).detail(msg);
    match param {
        Some(p) => err.param(p),
        None => err,
    }
}

/// `card.number` → `card[number]`, the form-style name the API uses for nested parameters.
fn bracketed(path: &str) -> String {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default().to_owned();
    parts.fold(first, |acc, p| format!("{acc}[{p}]"))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        number: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        to: String,
        card: Option<Inner>,
    }

    fn code_and_param(body: &str) -> (Code, Option<String>) {
        match parse::<Outer>(body.as_bytes()) {
            Ok(_) => panic!("expected an error for {body}"),
            Err(ApiError(e)) => (e.code, e.param),
        }
    }

    #[test]
    fn classifies_failures() {
        assert_eq!(code_and_param("{"), (Code::InvalidJson, None));
        assert_eq!(code_and_param("not json"), (Code::InvalidJson, None));
        assert_eq!(code_and_param("{}"), (Code::ParameterMissing, Some("to".into())));
        assert_eq!(code_and_param(r#"{"to":1}"#), (Code::ParameterInvalid, Some("to".into())));
        assert_eq!(code_and_param(r#"{"to":"a","x":1}"#), (Code::ParameterUnknown, Some("x".into())));
        assert_eq!(code_and_param(r#"{"to":"a","card":{}}"#), (Code::ParameterMissing, Some("card[number]".into())));
        assert_eq!(
            code_and_param(r#"{"to":"a","card":{"number":5}}"#),
            (Code::ParameterInvalid, Some("card[number]".into()))
        );
        assert_eq!(code_and_param("[]"), (Code::ParameterInvalid, None));
    }
}
