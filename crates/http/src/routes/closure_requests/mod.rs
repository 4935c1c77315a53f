//! `/v1/me/closure-requests`: the customer's side of closing an account.
pub mod create;
pub mod list;

use okpay_app::ports::ClosureRecord;
use okpay_domain::time::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

/// A closure request as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureRequestView {
    /// `clr_...`
    pub id: String,
    /// Always `closure_request`.
    pub object: &'static str,
    /// `pending_review`, `approved` or `rejected`.
    pub status: String,
    /// The customer's reason.
    pub reason: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when staff decided, once decided.
    pub decided_at: Option<String>,
    /// Staff's reason, once decided.
    pub decision_reason: Option<String>,
}

impl From<ClosureRecord> for ClosureRequestView {
    fn from(r: ClosureRecord) -> Self {
        ClosureRequestView {
            id: r.id,
            object: "closure_request",
            status: r.status,
            reason: r.reason,
            created_at: rfc3339(r.created_at_us),
            decided_at: r.decided_at_us.map(rfc3339),
            decision_reason: r.decision_note,
        }
    }
}
