//! `/v1/agent/closure-requests/{id}/...`: staff decide on closure requests.
pub mod approve;
pub mod reject;

use serde::Deserialize;
use utoipa::ToSchema;

/// The body of a staff decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Why (written to the audit log; a rejection's reason is mailed to the customer).
    pub reason: String,
}
