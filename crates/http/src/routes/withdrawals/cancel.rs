//! `POST /v1/withdrawals/{id}/cancel`: cancels a withdrawal while it is `pending`.

use axum::Json;
use axum::extract::{Path, State};

use super::view::WithdrawalView;
use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// Cancels a pending withdrawal: the held amount and fee are released at once.
#[utoipa::path(post, path = "/v1/withdrawals/{id}/cancel", tag = "wallet",
    params(("id" = String, Path, description = "`wd_...`")),
    responses((status = 200, body = WithdrawalView), (status = 404, description = "resource_missing"),
        (status = 409, description = "withdrawal_not_cancelable")))]
pub async fn cancel_withdrawal(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<Json<WithdrawalView>, ApiError> {
    Ok(Json(WithdrawalView::from(&state.app.cancel_withdrawal(&caller, &id).await?)))
}
