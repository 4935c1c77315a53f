//! `PATCH /v1/merchant`: accepted payment methods and the webhook URL.

use axum::Json;
use axum::extract::State;
use okpay_app::merchant::{SettingsUpdate, WebhookUrlChange};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::get::MerchantView;
use crate::error::ApiError;
use crate::extract::{Auth, JsonBody};
use crate::state::AppState;

/// A change of settings; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMerchant {
    /// Any of `wallet`, `card` (at least one).
    pub accepted_payment_methods: Option<Vec<String>>,
    /// An `http(s)` URL on a public address; `null` or `""` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub webhook_url: Option<Option<String>>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Changes the signed-in business user's settings. The answer that sets the first webhook URL
/// carries `webhook_secret` (`whsec_...`), the key of `OKPay-Signature`; it is never shown again.
#[utoipa::path(patch, path = "/v1/merchant", tag = "merchants", request_body = UpdateMerchant,
    responses((status = 200, body = MerchantView),
        (status = 400, description = "invalid_webhook_url, payment_method_not_supported, parameter_invalid"),
        (status = 403, description = "permission_denied")))]
pub async fn update_merchant(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody<UpdateMerchant>,
) -> Result<Json<MerchantView>, ApiError> {
    let webhook_url = match body.webhook_url {
        None => WebhookUrlChange::Keep,
        Some(None) => WebhookUrlChange::Clear,
        Some(Some(url)) if url.trim().is_empty() => WebhookUrlChange::Clear,
        Some(Some(url)) => WebhookUrlChange::Set(url),
    };
    let update = SettingsUpdate { accepted_payment_methods: body.accepted_payment_methods, webhook_url };
    let saved = state.app.update_merchant_settings(&caller, update).await?;
    Ok(Json(MerchantView::new(saved.settings, saved.new_webhook_secret)))
}
