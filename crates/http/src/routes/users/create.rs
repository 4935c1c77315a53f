//! `POST /v1/users`: sign up.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use okpay_app::users::Registration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Sign-up request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Email address.
    pub email: String,
    /// Password (12–128 characters).
    pub password: String,
    /// Display name.
    pub name: String,
    /// `personal` or `business`.
    pub account_type: String,
    /// `en` or `zh`.
    pub locale: Option<String>,
}

/// Always the same for valid input, registered address or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationSent {
    /// `verification_sent`.
    pub status: &'static str,
    /// The normalised address.
    pub email: String,
}

/// Registers a user.
#[utoipa::path(post, path = "/v1/users", tag = "identity", request_body = CreateUser,
    responses((status = 202, body = VerificationSent), (status = 400, description = "invalid input")))]
pub async fn create_user(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CreateUser>,
) -> Result<(StatusCode, Json<VerificationSent>), ApiError> {
    let email = state
        .app
        .register(Registration {
            email: body.email,
            password: body.password,
            name: body.name,
            account_type: body.account_type,
            locale: body.locale,
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(VerificationSent { status: "verification_sent", email })))
}
