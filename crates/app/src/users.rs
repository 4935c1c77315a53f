//! Registration (API.md §2): the answer is the same whether or not the address is registered.
//!
//! A new address gets an account in `pending_verification` and a verification link; a
//! registered one gets a "you already have an account" mail instead. Both paths hash the
//! password and write to the database, so neither the body nor the timing tells them apart.

use okpay_domain::ids::IdKind;
use okpay_domain::user::parse_name;
use okpay_domain::{AccountType, Email, UserStatus, password as policy};
use okpay_mail::Template;

use crate::error::AppError;
use crate::outbox::compose;
use crate::ports::{TokenPurpose, UserRecord};
use crate::{App, password, tokens};

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
        let ttl = self.config.email_verification_ttl_us;
        let (secret, token) = tokens::issue(TokenPurpose::VerifyEmail, &user.id, ttl);
        let verify = Template::VerifyEmail {
            link: self.token_link("/verify-email", &secret),
            valid_hours: (ttl / 3_600_000_000).max(1),
        };
        let mail = compose(&user.email, &user.locale, &user.name, &verify);
        if self.store.create_user(&user, &token, &mail).await? {
            self.mail_queued();
        } else {
            self.tell_owner_already_registered(&user.email).await?;
        }
        Ok(user.email)
    }

    /// Mails the owner of a registered address, in their language, that they already have an
    /// account (someone, maybe they, tried to sign up again).
    async fn tell_owner_already_registered(&self, email: &str) -> Result<(), AppError> {
        let Some(owner) = self.store.user_by_email(email).await? else { return Ok(()) };
        // Not verified yet: include a fresh link, or an expired one would leave no way in.
        let token = (!owner.email_verified)
            .then(|| tokens::issue(TokenPurpose::VerifyEmail, &owner.id, self.config.email_verification_ttl_us));
        let already = Template::AlreadyRegistered {
            sign_in_url: self.link("/sign-in"),
            reset_url: self.link("/forgot-password"),
            verify_link: token.as_ref().map(|(secret, _)| self.token_link("/verify-email", secret)),
        };
        let mail = compose(&owner.email, &owner.locale, &owner.name, &already);
        match token {
            Some((_, record)) => {
                self.store.issue_token(&record, &mail).await?;
                self.mail_queued();
                Ok(())
            }
            None => self.queue_mail(&mail).await,
        }
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
