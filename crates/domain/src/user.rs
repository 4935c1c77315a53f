//! Users: account types, statuses and names.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Personal wallets and business (merchant) accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// A person's wallet.
    Personal,
    /// A merchant that accepts payments.
    Business,
}

impl AccountType {
    /// Parses the wire value.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "personal" => Ok(AccountType::Personal),
            "business" => Ok(AccountType::Business),
            _ => Err(ValidationError::InvalidAccountType),
        }
    }

    /// The wire and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Personal => "personal",
            AccountType::Business => "business",
        }
    }
}

/// The lifecycle status of a user account (API.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Registered, email not yet verified.
    PendingVerification,
    /// In good standing.
    Active,
    /// Temporarily locked after repeated sign-in failures.
    Locked,
    /// Frozen by staff or risk rules.
    Frozen,
    /// Closed; personal data erased.
    Closed,
}

impl UserStatus {
    /// The wire and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::PendingVerification => "pending_verification",
            UserStatus::Active => "active",
            UserStatus::Locked => "locked",
            UserStatus::Frozen => "frozen",
            UserStatus::Closed => "closed",
        }
    }

    /// Parses the storage value.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::PendingVerification, Self::Active, Self::Locked, Self::Frozen, Self::Closed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Whether the account may receive incoming money (transfers, payments).
    pub fn can_receive(self) -> bool {
        matches!(self, UserStatus::PendingVerification | UserStatus::Active)
    }
}

/// Validates a display name: 1–100 characters after trimming, no control characters.
pub fn parse_name(raw: &str) -> Result<String, ValidationError> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 || len > 100 || name.chars().any(char::is_control) {
        return Err(ValidationError::InvalidName);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types() {
        assert_eq!(parse_name("  王小明 "), Ok("王小明".to_owned()));
        assert!(parse_name("   ").is_err());
        assert!(parse_name("a\u{0}b").is_err());
        assert!(parse_name(&"x".repeat(101)).is_err());
        assert_eq!(AccountType::parse("business"), Ok(AccountType::Business));
        assert!(AccountType::parse("corp").is_err());
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["pending_verification", "active", "locked", "frozen", "closed"] {
            assert_eq!(UserStatus::parse(s).map(UserStatus::as_str), Some(s));
        }
        assert!(!UserStatus::Frozen.can_receive());
    }
}
