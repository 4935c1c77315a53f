//! `GET /v1/me`: the signed-in user.

use axum::Json;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::views::UserView;

/// The signed-in user.
#[utoipa::path(get, path = "/v1/me", tag = "identity", responses((status = 200, body = UserView)))]
pub async fn get_me(Auth(caller): Auth) -> Result<Json<UserView>, ApiError> {
    Ok(Json(UserView::from(&caller.user)))
}
