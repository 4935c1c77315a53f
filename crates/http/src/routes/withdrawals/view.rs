//! The JSON shapes of withdrawals and quotes.

use okpay_app::ports::WithdrawalRecord;
use okpay_app::withdrawals::Quote;
use okpay_domain::time::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

/// A withdrawal.
#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalView {
    /// `wd_...`
    pub id: String,
    /// Always `withdrawal`.
    pub object: &'static str,
    /// Paid out, minor units.
    pub amount: i64,
    /// Fee, minor units.
    pub fee: i64,
    /// Taken from the wallet: amount + fee.
    pub total: i64,
    /// Currency.
    pub currency: String,
    /// `pending`, `processing`, `paid`, `failed` or `canceled`.
    pub status: String,
    /// `pm_...`
    pub payment_method: String,
    /// `bank_account` or `card`.
    pub method: String,
    /// Why it failed, for failed withdrawals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    /// The history row, `txn_...`.
    pub transaction: String,
    /// RFC 3339.
    pub estimated_arrival: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&WithdrawalRecord> for WithdrawalView {
    fn from(w: &WithdrawalRecord) -> Self {
        WithdrawalView {
            id: w.id.clone(),
            object: "withdrawal",
            amount: w.amount_minor,
            fee: w.fee_minor,
            total: w.amount_minor.saturating_add(w.fee_minor),
            currency: w.currency.code().to_owned(),
            status: w.status.clone(),
            payment_method: w.payment_method.clone(),
            method: w.method.clone(),
            failure_code: w.failure_code.clone(),
            transaction: w.line_id.clone(),
            estimated_arrival: rfc3339(w.estimated_arrival_us),
            created_at: rfc3339(w.created_at_us),
        }
    }
}

/// What a withdrawal would cost.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    /// Always `withdrawal_quote`.
    pub object: &'static str,
    /// Paid out, minor units.
    pub amount: i64,
    /// Fee, minor units.
    pub fee: i64,
    /// Taken from the wallet: amount + fee.
    pub total: i64,
    /// Currency.
    pub currency: String,
    /// `bank_account` or `card`.
    pub method: String,
    /// RFC 3339: when the money would arrive if the withdrawal were made now.
    pub estimated_arrival: String,
}

impl From<&Quote> for QuoteView {
    fn from(q: &Quote) -> Self {
        QuoteView {
            object: "withdrawal_quote",
            amount: q.amount,
            fee: q.fee,
            total: q.total,
            currency: q.currency.code().to_owned(),
            method: q.method.as_str().to_owned(),
            estimated_arrival: rfc3339(q.estimated_arrival_us),
        }
    }
}
