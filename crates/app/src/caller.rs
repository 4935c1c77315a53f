//! Who is making a request.

use okpay_domain::UserStatus;

use crate::error::{AppError, Code};
use crate::ports::UserRecord;

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A session token from `POST /v1/sessions`.
    Session,
    /// A merchant's API key secret (`sk_...`).
    ApiKey,
}

/// An authenticated user and the credential they used.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user as loaded for this request.
    pub user: UserRecord,
    /// The credential's id: the session (`ses_...`) or, for an API key, the key (`key_...`),
    /// so audit records and device lists name what was used.
    pub session_id: String,
    /// Which kind of credential it is; routes declare which kinds they accept.
    pub credential: Credential,
}

impl Caller {
    /// The user's id.
    pub fn id(&self) -> &str {
        &self.user.id
    }

    /// Whether the user holds `role` (`user`, `agent`, `admin`).
    pub fn has_role(&self, role: &str) -> bool {
        self.user.roles.split_whitespace().any(|r| r == role)
    }

    /// Refuses callers whose account is not a business account (merchant features).
    pub fn require_business(&self) -> Result<(), AppError> {
        if self.user.account_type == "business" {
            Ok(())
        } else {
            Err(AppError::new(Code::PermissionDenied).detail("merchant features need a business account"))
        }
    }

    /// Refuses callers who are not support agents or administrators.
    pub fn require_staff(&self) -> Result<(), AppError> {
        if self.has_role("agent") || self.has_role("admin") {
            Ok(())
        } else {
            Err(AppError::new(Code::PermissionDenied))
        }
    }

    /// Refuses callers whose account may not move money: not in good standing, or (API.md §2)
    /// email not yet verified.
    pub fn ensure_can_move_money(&self) -> Result<(), AppError> {
        match UserStatus::parse(&self.user.status) {
            Some(UserStatus::Active | UserStatus::PendingVerification) if !self.user.email_verified => {
                Err(AppError::new(Code::EmailNotVerified))
            }
            Some(UserStatus::Active | UserStatus::PendingVerification) => Ok(()),
            Some(UserStatus::Frozen) => Err(AppError::new(Code::AccountFrozen)),
            Some(UserStatus::Locked) => Err(AppError::new(Code::AccountLocked)),
            Some(UserStatus::Closed) => Err(AppError::new(Code::AccountClosed)),
            None => Err(AppError::internal(format!("unknown user status {}", self.user.status))),
        }
    }
}
