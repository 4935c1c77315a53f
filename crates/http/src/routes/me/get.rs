//! `GET /v1/me`: the signed-in user.

use axum::Json;
use axum::extract::State;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::UserView;

/// The signed-in user.
#[utoipa::path(get, path = "/v1/me", tag = "identity", responses((status = 200, body = UserView)))]
pub async fn get_me(State(state): State<AppState>, Auth(caller): Auth) -> Result<Json<UserView>, ApiError> {
    Ok(Json(UserView::new(&caller.user, &state.app.config.limits)))
}
