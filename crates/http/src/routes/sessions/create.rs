//! `POST /v1/sessions`: sign in.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use okpay_app::sessions::Client;
use okpay_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::views::UserView;

/// Sign-in request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Current TOTP code, when two-factor is on.
    pub otp: Option<String>,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCreated {
    /// Bearer token; shown once.
    pub token: String,
    /// RFC 3339 absolute expiry.
    pub expires_at: String,
    /// The user.
    pub user: UserView,
}

/// Signs in.
#[utoipa::path(post, path = "/v1/sessions", tag = "identity", request_body = CreateSession,
    responses((status = 201, body = SessionCreated),
        (status = 401, description = "invalid_credentials, otp_required"),
        (status = 400, description = "otp_invalid")))]
pub async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateSession>,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let client = Client { user_agent, ip: peer.ip().to_string() };
    let issued = state.app.sign_in(&body.email, body.password, body.otp.as_deref(), client).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionCreated {
            token: issued.token,
            expires_at: rfc3339(issued.expires_at_us),
            user: UserView::from(&issued.user),
        }),
    ))
}
