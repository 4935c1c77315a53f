//! `PATCH /v1/me`: change the signed-in user's name or language.

use axum::Json;
use axum::extract::State;
use okpay_app::profile::ProfileUpdate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;
use crate::views::UserView;

/// The fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// Display name (1–100 characters).
    pub name: Option<String>,
    /// `en` or `zh`: the language of OKPay's emails.
    pub locale: Option<String>,
}

/// Updates the signed-in user.
#[utoipa::path(patch, path = "/v1/me", tag = "identity", request_body = UpdateMe,
    responses((status = 200, body = UserView), (status = 400, description = "invalid_name, parameter_invalid")))]
pub async fn update_me(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody<UpdateMe>,
) -> Result<Json<UserView>, ApiError> {
    let user = state.app.update_profile(&caller, ProfileUpdate { name: body.name, locale: body.locale }).await?;
    Ok(Json(UserView::new(&user, &state.app.config.limits)))
}
