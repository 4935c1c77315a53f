//! Query strings with specific error codes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use okpay_app::{AppError, Code};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Query parameters deserialised into `T`; failures answer `parameter_invalid`.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri).map(|q| QueryParams(q.0)).map_err(|e| {
            let text = e.body_text();
            // serde names the field in backquotes when it can.
            let param = text.split('`').nth(1).map(str::to_owned);
            let err = AppError::new(Code::ParameterInvalid).detail(text);
            ApiError(match param {
                Some(p) => err.param(p),
                None => err,
            })
        })
    }
}

/// List pagination (API.md §1): `limit` 1–100, default 20; `starting_after`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct Pagination {
    /// Rows per page, 1–100 (default 20).
    pub limit: Option<i64>,
    /// Continue after this id.
    pub starting_after: Option<String>,
}

impl Pagination {
    /// The validated limit.
    pub fn limit(&self) -> Result<u32, ApiError> {
        match self.limit {
            None => Ok(20),
            Some(n @ 1..=100) => Ok(n as u32),
            Some(_) => Err(AppError::new(Code::ParameterInvalid).param("limit").into()),
        }
    }
}
