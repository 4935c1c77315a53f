//! `GET /v1/sessions`: the signed-in devices of the caller.

use axum::Json;
use axum::extract::State;
use okpay_app::devices::Device;
use okpay_domain::time::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::List;

/// A signed-in device.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// `ses_...` (never the token).
    pub id: String,
    /// Always `session`.
    pub object: &'static str,
    /// The browser or app that signed in.
    pub user_agent: String,
    /// The IP address it signed in from.
    pub ip: String,
    /// RFC 3339: sign-in time.
    pub created_at: String,
    /// RFC 3339: last request (to the minute).
    pub last_seen_at: String,
    /// RFC 3339: absolute expiry.
    pub expires_at: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl From<Device> for SessionView {
    fn from(d: Device) -> Self {
        let s = d.session;
        SessionView {
            id: s.id,
            object: "session",
            user_agent: s.user_agent,
            ip: s.ip,
            created_at: rfc3339(s.created_at_us),
            last_seen_at: rfc3339(s.last_seen_us),
            expires_at: rfc3339(s.expires_at_us),
            current: d.current,
        }
    }
}

/// Lists the caller's signed-in devices, most recently active first.
#[utoipa::path(get, path = "/v1/sessions", tag = "identity", responses((status = 200, body = List<SessionView>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<List<SessionView>>, ApiError> {
    let devices = state.app.list_sessions(&caller).await?;
    Ok(Json(List::new(devices.into_iter().map(SessionView::from).collect(), false)))
}
