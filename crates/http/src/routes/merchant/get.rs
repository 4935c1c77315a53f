//! `GET /v1/merchant`: the merchant's settings (never the webhook secret).

use axum::Json;
use axum::extract::State;
use okpay_app::ports::MerchantSettings;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

/// A merchant's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantView {
    /// The business user's `usr_...` id.
    pub id: String,
    /// Always `merchant`.
    pub object: &'static str,
    /// `wallet`, `card`.
    pub accepted_payment_methods: Vec<String>,
    /// Where events are POSTed, if set.
    pub webhook_url: Option<String>,
    /// Whether a signing secret exists.
    pub webhook_secret_set: bool,
    /// `whsec_...`: only in the answer that set the first webhook URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

impl MerchantView {
    /// The view of `s`, with a secret to show once if given.
    pub fn new(s: MerchantSettings, new_secret: Option<String>) -> Self {
        MerchantView {
            id: s.merchant_id,
            object: "merchant",
            accepted_payment_methods: s.accepted_payment_methods,
            webhook_url: s.webhook_url,
            webhook_secret_set: s.webhook_secret.is_some(),
            webhook_secret: new_secret,
        }
    }
}

/// The signed-in business user's merchant settings.
#[utoipa::path(get, path = "/v1/merchant", tag = "merchants",
    responses((status = 200, body = MerchantView), (status = 403, description = "permission_denied")))]
pub async fn get_merchant(State(state): State<AppState>, Auth(caller): Auth) -> Result<Json<MerchantView>, ApiError> {
    let settings = state.app.merchant_settings(&caller).await?;
    Ok(Json(MerchantView::new(settings, None)))
}
