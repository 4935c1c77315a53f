//! What staff (roles `agent` and `admin`) do to accounts in this scope: freeze,
//! unfreeze and unlock (API.md §5 `/agent/users/{id}/...`), and bootstrapping staff accounts
//! from the command line.
//!
//! Every change needs a written reason, is refused to non-staff with `permission_denied`,
//! and is applied in one transaction together with the owner's mail and its audit event (the
//! staff member as actor, the owner as subject), so no change happens unaudited. A refused
//! attempt is audited too.

use okpay_domain::ids::{IdKind, random_token};
use okpay_domain::time::now_us;
use okpay_domain::{Email, UserStatus};
use okpay_mail::Template;

use crate::audit::{self, Event};
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{AppStore, StatusChange, UserRecord};
use crate::sessions::Client;
use crate::{App, Caller, password};

/// Longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

/// Roles that make a user staff.
pub const STAFF_ROLES: [&str; 2] = ["agent", "admin"];

/// A checked staff note: trimmed, non-empty, at most [`MAX_REASON_CHARS`].
pub fn parse_reason(raw: Option<&str>) -> Result<String, AppError> {
    let reason = raw.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(AppError::new(Code::ParameterMissing).param("reason"));
    }
    if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::new(Code::ParameterInvalid).param("reason"));
    }
    Ok(reason.to_owned())
}

/// The outcome of `okpay user create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// The account (`usr_...`).
    pub user_id: String,
    /// The password of a newly created account, shown once; `None` when the address already
    /// had an account and only the role was added.
    pub password: Option<String>,
}

impl App {
    /// `POST /v1/agent/users/{id}/freeze|unfreeze|unlock`: changes the account's status,
    /// mails the owner and audits the change.
    pub async fn change_account_status(
        &self,
        staff: &Caller,
        user_id: &str,
        change: StatusChange,
        reason: Option<&str>,
        client: &Client,
    ) -> Result<UserRecord, AppError> {
        let event = Event {
            actor: staff.id(),
            subject: Some(user_id),
            action: change.action(),
            success: false,
            client: Some(client),
            reason: None,
            session_id: Some(&staff.session_id),
        };
        if let Err(e) = staff.require_staff() {
            self.audit(Event { reason: Some(e.code.as_str()), ..event }).await?;
            return Err(e);
        }
        let reason = parse_reason(reason)?;
        let Some(user) = self.store.user_by_id(user_id).await? else {
            return Err(AppError::new(Code::ResourceMissing).param("id"));
        };
        let template = match change {
            StatusChange::Freeze => {
                Template::AccountFrozen { reason: reason.clone(), help_url: self.link("/help/articles/account-locked") }
            }
            StatusChange::Unfreeze => Template::AccountUnfrozen { sign_in_url: self.link("/sign-in") },
            StatusChange::Unlock => Template::AccountUnlocked {
                sign_in_url: self.link("/sign-in"),
                reset_url: self.link("/forgot-password"),
            },
        };
        let mail = compose(&user.email, &user.locale, &user.name, &template);
        let done = audit::record(&Event { success: true, reason: Some(&reason), ..event.clone() });
        match self.store.change_status(user_id, change, now_us(), &mail, &done).await? {
            Some(changed) => {
                self.mail_queued();
                tracing::info!(user = %user_id, staff = %staff.id(), action = change.action(), "account status changed");
                Ok(changed)
            }
            None => {
                let why = format!("{}: account is {}", Code::AccountStatusConflict.as_str(), user.status);
                self.audit(Event { reason: Some(&why), ..event }).await?;
                Err(AppError::new(Code::AccountStatusConflict).detail(why))
            }
        }
    }
}

/// `okpay user create --email E --role agent|admin`: creates an active, verified staff
/// account with a generated password, or adds the role to the account the address already
/// has (its password is left alone). Audited with the `system` actor.
pub async fn bootstrap_staff(
    store: &dyn AppStore,
    email: &str,
    role: &str,
    name: &str,
) -> Result<StaffAccount, AppError> {
    if !STAFF_ROLES.contains(&role) {
        return Err(AppError::new(Code::ParameterInvalid).param("role"));
    }
    let email = Email::parse(email).map_err(|e| AppError::invalid(e, "email"))?;
    let name = okpay_domain::user::parse_name(name).map_err(|e| AppError::invalid(e, "name"))?;
    let (user_id, password) = match store.user_by_email(email.as_str()).await? {
        Some(existing) => (existing.id, None),
        None => {
            // 160 random bits in base32: far above every rule of the password policy.
            let password = random_token(20);
            let user = UserRecord {
                id: IdKind::User.random(),
                email: email.as_str().to_owned(),
                name,
                account_type: "personal".to_owned(),
                status: UserStatus::Active.as_str().to_owned(),
                email_verified: true,
                locale: "en".to_owned(),
                password_hash: password::hash(password.clone()).await?,
                roles: "user".to_owned(),
                kyc_level: 0,
                created_at_us: now_us(),
            };
            if !store.insert_user(&user).await? {
                return Err(AppError::internal("the address was registered while the staff account was created"));
            }
            (user.id, Some(password))
        }
    };
    store.grant_role(&user_id, role).await?.ok_or_else(|| AppError::internal("staff account vanished"))?;
    let cli = Client { user_agent: "okpay user create".to_owned(), ip: String::new() };
    let reason = format!("role {role} granted from the command line");
    let event = Event {
        actor: audit::SYSTEM,
        client: Some(&cli),
        reason: Some(&reason),
        ..Event::own(&user_id, "role_granted")
    };
    store.record_audit(&audit::record(&event)).await?;
    Ok(StaffAccount { user_id, password })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_bounded_and_trimmed() {
        assert_eq!(parse_reason(Some("  card testing ")).ok().as_deref(), Some("card testing"));
        assert_eq!(parse_reason(None).map_err(|e| e.code), Err(Code::ParameterMissing));
        assert_eq!(parse_reason(Some("   ")).map_err(|e| e.code), Err(Code::ParameterMissing));
        assert_eq!(parse_reason(Some(&"x".repeat(1_001))).map_err(|e| e.code), Err(Code::ParameterInvalid));
        assert_eq!(parse_reason(Some("a\u{0}b")).map_err(|e| e.code), Err(Code::ParameterInvalid));
        assert!(parse_reason(Some(&"原因".repeat(500))).is_ok(), "counted in characters, not bytes");
    }
}
