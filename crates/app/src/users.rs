//! Registration (the minimal slice: the full identity work adds verification mail).

use okpay_domain::ids::IdKind;
use okpay_domain::user::parse_name;
use okpay_domain::{AccountType, Email, UserStatus, password as policy};

use crate::error::AppError;
use crate::ports::UserRecord;
use crate::{App, password};

/// A sign-up request as received.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Email address.
    pub email: String,
    /// Chosen password.
    pub password: String,
    /// Display name.
    pub name: String,
    /// `personal` or `business`.
    pub account_type: String,
    /// `en` or `zh` (also accepts `zh-CN`, `en-US`, ...).
    pub locale: Option<String>,
}

/// Normalises a locale to `en` or `zh`.
pub fn parse_locale(raw: &str) -> Option<&'static str> {
    let lang = raw.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match lang.as_str() {
        "en" => Some("en"),
        "zh" => Some("zh"),
        _ => None,
    }
}

impl App {
    /// Registers a user. Answers the same whether or not the email is already registered, so
    /// the response reveals nothing; returns the normalised email.
    pub async fn register(&self, r: Registration) -> Result<String, AppError> {
        let email = Email::parse(&r.email).map_err(|e| AppError::invalid(e, "email"))?;
        let name = parse_name(&r.name).map_err(|e| AppError::invalid(e, "name"))?;
        let account_type = AccountType::parse(&r.account_type).map_err(|e| AppError::invalid(e, "account_type"))?;
        let locale = match r.locale.as_deref() {
            None => "en",
            Some(l) => parse_locale(l).ok_or_else(|| AppError::new(crate::Code::ParameterInvalid).param("locale"))?,
        };
        policy::check(&r.password, &name, &email).map_err(|e| AppError::invalid(e, "password"))?;
        let hash = password::hash(r.password).await?;
        let user = UserRecord {
            id: IdKind::User.random(),
            email: email.as_str().to_owned(),
            name,
            account_type: account_type.as_str().to_owned(),
            status: UserStatus::PendingVerification.as_str().to_owned(),
            email_verified: false,
            locale: locale.to_owned(),
            password_hash: hash,
            roles: "user".to_owned(),
            kyc_level: 0,
            created_at_us: okpay_domain::time::now_us(),
        };
        // `false` means the address is taken: same answer (the identity work emails the owner).
        let _created = self.store.insert_user(&user).await?;
        Ok(user.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_normalise() {
        assert_eq!(parse_locale("zh-CN"), Some("zh"));
        assert_eq!(parse_locale("EN"), Some("en"));
        assert_eq!(parse_locale("fr"), None);
    }
}
