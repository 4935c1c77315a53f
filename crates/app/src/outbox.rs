//! Queuing mail: a template is rendered in the recipient's language and written to the
//! durable outbox; the [`crate::mail_worker`] delivers it later. A request never waits for
//! an SMTP server and never fails because one is down.

use okpay_domain::ids::time_ordered_token;
use okpay_domain::time::now_us;
use okpay_mail::{Locale, Template};

use crate::App;
use crate::error::AppError;
use crate::ports::OutboxMail;

/// The outbox row of `template` for `to` (rendered now, in `locale`, greeting `name`).
pub fn compose(to: &str, locale: &str, name: &str, template: &Template) -> OutboxMail {
    let rendered = template.render(Locale::parse(locale), name);
    let now = now_us();
    OutboxMail {
        // Time-ordered: the outbox's id index takes each round's mails at its end.
        id: format!("mail_{}", time_ordered_token(now)),
        to: to.to_owned(),
        kind: template.kind().to_owned(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attempts: 0,
        created_at_us: now,
    }
}

impl App {
    /// Queues one message and wakes this process's mail worker.
    pub async fn queue_mail(&self, mail: &OutboxMail) -> Result<(), AppError> {
        self.store.enqueue_mail(mail).await?;
        self.mail_queued();
        Ok(())
    }

    /// Wakes the mail worker after a store call queued mail inside its own transaction.
    pub fn mail_queued(&self) {
        self.mail_wakeup.notify_one();
    }

    /// An absolute link on `OKPAY_PUBLIC_URL` (never the request's Host header).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.config.public_url)
    }

    /// `<public_url><path>?token=<token>`.
    pub fn token_link(&self, path: &str, token: &str) -> String {
        format!("{}{path}?token={token}", self.config.public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_in_the_recipients_language() {
        let t = Template::PasswordChanged { reset_url: "https://pay.example/forgot-password".into() };
        let zh = compose("a@example.com", "zh", "李安", &t);
        assert!(zh.id.starts_with("mail_") && zh.id.len() > 20);
        assert_eq!((zh.to.as_str(), zh.kind.as_str(), zh.attempts), ("a@example.com", "password_changed", 0));
        assert!(zh.subject.contains("密码"));
        let en = compose("a@example.com", "en", "Ann", &t);
        assert!(en.subject.contains("password") && en.text.contains("Hello Ann"));
        assert_ne!(zh.id, en.id);
    }
}
