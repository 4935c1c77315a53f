//! Account closure: the review states of a closure request, the bounds on its reason, and what
//! a closed account's personal data is replaced with.
//!
//! A closed account keeps its row (the ledger and the audit trail point at its `usr_` id) but
//! nothing that names the person: the address becomes [`pseudonymous_email`], the name is
//! emptied and only an irreversible digest of the old address ([`crate::ids::token_hash`] of
//! the normalised address) is kept, so that signing in with it can answer `account_closed`.

use crate::ValidationError;

/// Longest reason accepted, in characters (the customer's and the staff member's alike).
pub const MAX_REASON_CHARS: usize = 1_000;

/// Where a closure request is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosureStatus {
    /// Waiting for a staff member.
    PendingReview,
    /// Approved: the account is closed.
    Approved,
    /// Refused by a staff member: the account is unchanged.
    Rejected,
}

impl ClosureStatus {
    /// The wire and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosureStatus::PendingReview => "pending_review",
            ClosureStatus::Approved => "approved",
            ClosureStatus::Rejected => "rejected",
        }
    }

    /// Parses the storage value.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::PendingReview, Self::Approved, Self::Rejected].into_iter().find(|v| v.as_str() == s)
    }
}

/// Validates a reason: trimmed, at most [`MAX_REASON_CHARS`] characters, no control characters
/// other than line breaks and tabs. An empty reason is allowed (the customer need not explain).
pub fn parse_reason(raw: &str) -> Result<String, ValidationError> {
    let reason = raw.trim();
    let bad_char = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(bad_char) {
        return Err(ValidationError::InvalidReason);
    }
    Ok(reason.to_owned())
}

/// The address a closed account's row holds instead of the real one: unique per user (the
/// column is `UNIQUE`), deliverable nowhere (`.invalid` is reserved by RFC 2606).
pub fn pseudonymous_email(user_id: &str) -> String {
    format!("closed+{user_id}@invalid")
}

/// What a closed account's password hash is replaced with: not a PHC string, so no password
/// ever verifies against it.
pub const ERASED_PASSWORD_HASH: &str = "!closed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in ["pending_review", "approved", "rejected"] {
            assert_eq!(ClosureStatus::parse(s).map(ClosureStatus::as_str), Some(s));
        }
        assert_eq!(ClosureStatus::parse("closed"), None);
    }

    #[test]
    fn reasons_are_bounded() {
        assert_eq!(parse_reason("  moving abroad\n "), Ok("moving abroad".to_owned()));
        assert_eq!(parse_reason(""), Ok(String::new()));
        assert!(parse_reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        assert_eq!(parse_reason(&"x".repeat(MAX_REASON_CHARS + 1)), Err(ValidationError::InvalidReason));
        assert_eq!(parse_reason("a\u{0}b"), Err(ValidationError::InvalidReason));
    }

    #[test]
    fn pseudonyms_name_nobody() {
        let e = pseudonymous_email("usr_abc");
        assert_eq!(e, "closed+usr_abc@invalid");
        assert!(!ERASED_PASSWORD_HASH.starts_with('$'));
    }
}
