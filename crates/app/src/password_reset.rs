//! Forgotten passwords (API.md §2): an emailed single-use link sets a new password.
//!
//! Asking always answers the same; only an existing, open account gets a link. Confirming
//! sets the password, ends every session, lifts a temporary lock and mails a notice, all in one
//! transaction. It never lifts a freeze (the status is left alone) and never signs the user in,
//! so two-factor cannot be bypassed: the next sign-in still asks for everything it asks for.

use okpay_domain::{Email, UserStatus, password as policy};
use okpay_mail::Template;

use crate::audit::Event;
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{Redemption, TokenPurpose, UserRecord};
use crate::sessions::Client;
use crate::{App, password, tokens};

impl App {
    /// Mails a reset link if `email` belongs to an account that is not closed. Answers the
    /// same either way; returns the normalised email.
    pub async fn request_password_reset(&self, email: &str) -> Result<String, AppError> {
        let email = Email::parse(email).map_err(|e| AppError::invalid(e, "email"))?.as_str().to_owned();
        // Neither the body nor the timing of the answer may depend on whether the account
        // exists, so the lookup and the writes happen after it is sent. A failure is logged;
        // the user simply asks again.
        let app = self.clone();
        let address = email.clone();
        tokio::spawn(async move {
            if let Err(e) = app.mail_reset_link(&address).await {
                tracing::error!(error = %e, "could not queue a password-reset mail");
            }
        });
        Ok(email)
    }

    /// Issues a reset token and queues its mail if `email` belongs to an open account.
    async fn mail_reset_link(&self, email: &str) -> Result<(), AppError> {
        let user = self.store.user_by_email(email).await?;
        if let Some(user) = user.filter(|u| u.status != UserStatus::Closed.as_str()) {
            let ttl = self.config.password_reset_ttl_us;
            let (secret, token) = tokens::issue(TokenPurpose::PasswordReset, &user.id, ttl);
            let template = Template::PasswordReset {
                link: self.token_link("/reset-password", &secret),
                valid_minutes: (ttl / 60_000_000).max(1),
            };
            self.store.issue_token(&token, &compose(&user.email, &user.locale, &user.name, &template)).await?;
            self.mail_queued();
        }
        Ok(())
    }

    /// Sets a new password with a reset token; returns the updated user.
    pub async fn confirm_password_reset(
        &self,
        token: &str,
        new_password: String,
        client: &Client,
    ) -> Result<UserRecord, AppError> {
        let t = self.check_token(token, TokenPurpose::PasswordReset).await?;
        let user =
            self.store.user_by_id(&t.user_id).await?.ok_or_else(|| AppError::new(Code::TokenInvalid).param("token"))?;
        let email = Email::parse(&user.email).map_err(|_| AppError::internal("stored email does not parse"))?;
        policy::check(&new_password, &user.name, &email).map_err(|e| AppError::invalid(e, "new_password"))?;
        // Two-step verification stays on: the reset never creates a session, so the next
        // sign-in still asks for a current code or a recovery code (tests/two_factor.rs).
        let password_hash = password::hash(new_password).await?;
        let notice = Template::PasswordChanged { reset_url: self.link("/forgot-password") };
        let mail = compose(&user.email, &user.locale, &user.name, &notice);
        let redemption = Redemption::ResetPassword { password_hash };
        let user = self.redeem(token, TokenPurpose::PasswordReset, &redemption, Some(&mail)).await?;
        self.audit(Event { client: Some(client), ..Event::own(&user.id, "password_reset") }).await?;
        Ok(user)
    }
}
