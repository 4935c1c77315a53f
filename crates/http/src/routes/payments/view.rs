//! The documented shape of a payment. Handlers answer `okpay_app::payments::PaymentObject`,
//! the one shape also sent in events; this struct only describes it in `/openapi.json`.

use serde::Serialize;
use utoipa::ToSchema;

/// A merchant payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    /// `pay_...`
    pub id: String,
    /// Always `payment`.
    pub object: String,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// `requires_payment`, `processing`, `succeeded` or `failed`.
    pub status: String,
    /// OKPay's fee, kept from the amount.
    pub fee: i64,
    /// What the merchant receives: amount − fee.
    pub net: i64,
    /// Refunded so far.
    pub amount_refunded: i64,
    /// Shown to the payer.
    pub description: Option<String>,
    /// Where the checkout page sends the payer afterwards.
    pub return_url: Option<String>,
    /// `<public_url>/checkout/<id>`: the page where the payer pays.
    pub checkout_url: String,
    /// The merchant, `usr_...`.
    pub merchant: String,
    /// `wallet` or `card`, once paid or tried.
    pub payment_method_type: Option<String>,
    /// Why it failed.
    pub failure_code: Option<String>,
    /// The issuer's reason of a declined card.
    pub decline_code: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once succeeded.
    pub paid_at: Option<String>,
}

/// A refund.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    /// `re_...`
    pub id: String,
    /// Always `refund`.
    pub object: String,
    /// The refunded payment, `pay_...`.
    pub payment: String,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Why it failed.
    pub failure_code: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}
