//! `POST /v1/agent/users/{id}/freeze`, `/unfreeze`, `/unlock`: account status changes made by
//! staff, each mailed to the owner and audited.

use axum::Json;
use axum::extract::{Path, State};
use okpay_app::ports::StatusChange;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{Auth, ClientInfo, JsonBody};
use crate::state::AppState;
use crate::views::UserView;

/// Why staff change the account (kept in the audit trail; a freeze's reason is mailed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffReason {
    /// Free text, 1–1,000 characters.
    pub reason: Option<String>,
}

async fn change(
    state: AppState,
    caller: okpay_app::Caller,
    client: okpay_app::sessions::Client,
    id: String,
    change: StatusChange,
    body: StaffReason,
) -> Result<Json<UserView>, ApiError> {
    let user = state.app.change_account_status(&caller, &id, change, body.reason.as_deref(), &client).await?;
    Ok(Json(UserView::new(&user, &state.app.config.limits)))
}

/// Freezes an account: it can no longer sign in or move money, and every session ends.
#[utoipa::path(post, path = "/v1/agent/users/{id}/freeze", tag = "agent", request_body = StaffReason,
    params(("id" = String, Path, description = "usr_ id")),
    responses((status = 200, body = UserView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "account_status_conflict")))]
pub async fn freeze(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StaffReason>,
) -> Result<Json<UserView>, ApiError> {
    change(state, caller, client, id, StatusChange::Freeze, body).await
}

/// Lifts a freeze.
#[utoipa::path(post, path = "/v1/agent/users/{id}/unfreeze", tag = "agent", request_body = StaffReason,
    params(("id" = String, Path, description = "usr_ id")),
    responses((status = 200, body = UserView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "account_status_conflict")))]
pub async fn unfreeze(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StaffReason>,
) -> Result<Json<UserView>, ApiError> {
    change(state, caller, client, id, StatusChange::Unfreeze, body).await
}

/// Lifts a temporary lock (after repeated failed sign-ins) before it runs out.
#[utoipa::path(post, path = "/v1/agent/users/{id}/unlock", tag = "agent", request_body = StaffReason,
    params(("id" = String, Path, description = "usr_ id")),
    responses((status = 200, body = UserView), (status = 403, description = "permission_denied"),
        (status = 404, description = "resource_missing"), (status = 409, description = "account_status_conflict")))]
pub async fn unlock(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StaffReason>,
) -> Result<Json<UserView>, ApiError> {
    change(state, caller, client, id, StatusChange::Unlock, body).await
}
