//! `POST /v1/sessions`: sign in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{ClientInfo, JsonBody};
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
    ClientInfo(client): ClientInfo,
    JsonBody(body): JsonBody<CreateSession>,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    let issued = state.app.sign_in(&body.email, body.password, body.otp.as_deref(), client).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionCreated {
            token: issued.token,
            expires_at: rfc3339(issued.expires_at_us),
            user: UserView::new(&issued.user, &state.app.config.limits),
        }),
    ))
}
