//! Idempotency keys on POST requests (API.md §1).
//!
//! For a POST carrying `Idempotency-Key`: authenticate (a key belongs to its caller), hash
//! method, path and body, then replay a stored response, refuse a reuse (422) or a concurrent
//! duplicate (409), or run the request and store its response. Server errors (5xx) and
//! "try later" answers (409, 429) are not stored, so a retry runs again; that is safe because
//! money-moving use cases derive their ledger references from the key.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use okpay_app::idempotency::Begin;
use okpay_app::ports::StoredResponse;
use okpay_app::{AppError, Code};
use sha2::{Digest, Sha256};

use crate::body::{BodyError, read_bounded};
use crate::context::RequestContext;
use crate::error::{ApiError, Rendered};
use crate::extract::auth::bearer;
use crate::extract::idempotency::HEADER;
use crate::middleware::envelope::REQUEST_ID;
use crate::state::AppState;

/// Scope of keys sent without authentication.
const ANONYMOUS: &str = "anonymous";

/// The idempotency middleware.
pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let owner = match bearer(&parts) {
        None => ANONYMOUS.to_owned(),
        Some(token) => match state.app.authenticate(token).await {
            Ok(caller) => {
                let id = caller.id().to_owned();
                parts.extensions.insert(caller);
                id
            }
            // Let the handler answer the authentication failure.
            Err(_) => return next.run(Request::from_parts(parts, body)).await,
        },
    };
    // Uploads (multipart) may be larger than JSON bodies; their route has its own limit.
    let upload = is_multipart(&parts.headers);
    let limit = if upload { state.upload_body_limit() } else { state.max_body_bytes };
    let read = if upload {
        read_bounded(body, limit).await
    } else {
        to_bytes(body, limit).await.map_err(|_| BodyError::TooLarge)
    };
    let bytes = match read {
        Ok(b) => b,
        Err(BodyError::TooLarge) if upload => {
            return ApiError(AppError::new(Code::FileTooLarge).param("file")).into_response();
        }
        Err(BodyError::Broken(e)) if upload => {
            return ApiError(AppError::new(Code::InvalidMultipart).detail(e)).into_response();
        }
        Err(_) => return ApiError::from(Code::RequestTooLarge).into_response(),
    };
    let hash = request_hash(&parts.method, parts.uri.path_and_query().map_or("", |p| p.as_str()), &bytes);
    let claim = match state.app.idempotency_begin(&owner, &key, &hash).await {
        Ok(Begin::Proceed(claim)) => claim,
        Ok(Begin::Replay(stored)) => return replay(stored),
        Err(e) => return ApiError(e).into_response(),
    };
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = response.status();
    if !storable(status) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return ApiError(AppError::internal(format!("response body: {e}"))).into_response(),
    };
    let stored = StoredResponse {
        request_hash: hash,
        status: status.as_u16(),
        body: body.to_vec(),
        request_id: RequestContext::current().request_id,
        created_at_us: okpay_domain::time::now_us(),
    };
    if let Err(e) = claim.finish(&state.app, stored).await {
        // The work is done; a retry will be recognised by the ledger's references.
        tracing::error!(error = %e, "could not store idempotent response");
    }
    Response::from_parts(parts, Body::from(body))
}

fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim().to_ascii_lowercase().starts_with("multipart/form-data"))
}

fn storable(status: StatusCode) -> bool {
    !(status.is_server_error() || status == StatusCode::CONFLICT || status == StatusCode::TOO_MANY_REQUESTS)
}

fn request_hash(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Ok(v) = HeaderValue::from_str(&stored.request_id) {
        headers.insert(REQUEST_ID, v);
    }
    response.extensions_mut().insert(Rendered);
    response
}
