//! Every message OKPay sends, in English and Chinese, as text and HTML.
//!
//! A template only says *what* to write (subject, paragraphs, one button); [`layout`] turns
//! that into a text part and an escaped HTML part, so the two always say the same thing.

mod account;
mod bank;
mod closure;
mod kyc;
mod layout;
mod money;
mod payments;
mod withdrawal;

pub use layout::Content;
pub use withdrawal::WithdrawalEvent;

/// The language of a message (the user's saved `locale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Locale {
    /// `zh`, `zh-CN`, ... → Chinese; anything else → English.
    pub fn parse(raw: &str) -> Locale {
        if raw.trim().to_ascii_lowercase().starts_with("zh") { Locale::Zh } else { Locale::En }
    }
}

/// A rendered message, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

/// Every message OKPay sends. Links are absolute (built on `OKPAY_PUBLIC_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    /// After sign-up: confirm the address.
    VerifyEmail {
        /// `<public_url>/verify-email?token=T`
        link: String,
        /// How long the link works, in hours.
        valid_hours: i64,
    },
    /// Someone tried to sign up with an address that already has an account.
    AlreadyRegistered {
        /// Where to sign in.
        sign_in_url: String,
        /// Where to ask for a password reset.
        reset_url: String,
        /// A fresh verification link, when the address is not verified yet.
        verify_link: Option<String>,
    },
    /// A password reset was asked for.
    PasswordReset {
        /// `<public_url>/reset-password?token=T`
        link: String,
        /// How long the link works, in minutes.
        valid_minutes: i64,
    },
    /// The password was just changed.
    PasswordChanged {
        /// Where to reset it if it was not the owner.
        reset_url: String,
    },
    /// Too many failed sign-ins locked the account.
    AccountLocked {
        /// `<public_url>/unlock?token=T`
        link: String,
        /// How long the lock lasts, in minutes.
        lock_minutes: i64,
        /// Where to reset the password.
        reset_url: String,
    },
    /// An agent approved an identity document.
    IdentityDocumentApproved {
        /// `passport`, `id_card` or `proof_of_address`.
        kind: String,
        /// How much the daily limits grew (e.g. 10).
        limit_factor: i64,
    },
    /// An agent rejected an identity document.
    IdentityDocumentRejected {
        /// `passport`, `id_card` or `proof_of_address`.
        kind: String,
        /// The agent's reason, quoted to the owner.
        reason: String,
    },
    /// Staff approved the owner's closure request: the account is closed (sent to the address
    /// on file just before it is erased).
    ClosureApproved {
        /// The help-center article about closing an account.
        help_url: String,
    },
    /// Staff refused the owner's closure request: the account stays open.
    ClosureRejected {
        /// The staff member's reason.
        reason: String,
        /// The help-center article about closing an account.
        help_url: String,
    },
    /// Staff froze the account.
    AccountFrozen {
        /// Why, as the staff member wrote it.
        reason: String,
        /// Where to upload identity documents or contact support.
        help_url: String,
    },
    /// Staff lifted a freeze.
    AccountUnfrozen {
        /// Where to sign in.
        sign_in_url: String,
    },
    /// A bank deposit settled: the money is available.
    BankDepositSucceeded {
        /// The amount, formatted (`25.00 USD`).
        amount: String,
        /// The bank account, as the owner knows it (`Bank ****0000`).
        bank: String,
        /// Where the owner sees the history.
        history_url: String,
    },
    /// The bank returned a deposit: nothing arrived.
    BankDepositFailed {
        /// The amount, formatted (`25.00 USD`).
        amount: String,
        /// The bank account, as the owner knows it (`Bank ****1111`).
        bank: String,
        /// The help-center article about money that did not arrive.
        help_url: String,
    },
    /// A withdrawal changed status (each change is mailed).
    Withdrawal {
        /// Which change.
        event: WithdrawalEvent,
        /// The amount paid out, formatted (`25.00 USD`).
        amount: String,
        /// The fee, formatted.
        fee: String,
        /// Where it goes, as the owner knows it (`Bank ****0000`, `visa ****4242`).
        destination: String,
        /// When the money is expected, for people (`2026-11-22 10:30 UTC`).
        arrival: String,
        /// Where the owner sees the history.
        link: String,
    },
    /// The payer's receipt of a merchant payment.
    PaymentSucceeded {
        /// The amount, formatted (`25.00 USD`).
        amount: String,
        /// The merchant's name.
        merchant: String,
        /// The card paid with, as the payer knows it (`Visa ****4242`); `None`: the wallet.
        card: Option<String>,
        /// Where the payer sees the history.
        history_url: String,
    },
    /// A merchant refunded (part of) a payment to the payer.
    PaymentRefunded {
        /// The amount refunded, formatted (`5.00 USD`).
        amount: String,
        /// The merchant's name.
        merchant: String,
        /// The card the money went back to (`Visa ****4242`); `None`: the wallet.
        card: Option<String>,
        /// Where the payer sees the history.
        history_url: String,
    },
    /// A card deposit succeeded: the money is in the wallet.
    CardDepositSucceeded {
        /// The amount, formatted (`25.00 USD`).
        amount: String,
        /// The card, as the owner knows it (`visa ****4242`).
        card: String,
        /// Where the owner sees the history.
        history_url: String,
    },
    /// The owner sent money to another user.
    TransferSent {
        /// The amount, formatted.
        amount: String,
        /// The recipient (their email).
        to: String,
        /// The sender's note, if any.
        note: Option<String>,
        /// Where the owner sees the history.
        history_url: String,
    },
    /// Another user sent the owner money.
    TransferReceived {
        /// The amount, formatted.
        amount: String,
        /// The sender (their email).
        from: String,
        /// The sender's note, if any.
        note: Option<String>,
        /// Where the owner sees the history.
        history_url: String,
    },
    /// A merchant received a payment.
    PaymentReceived {
        /// The payment's amount, formatted.
        amount: String,
        /// OKPay's fee, formatted.
        fee: String,
        /// What reached the merchant's balance (amount − fee), formatted.
        net: String,
        /// Who paid (their email).
        payer: String,
        /// The payment, `pay_...`.
        payment: String,
        /// Where the merchant sees the history.
        history_url: String,
    },
    /// Staff lifted a temporary lock.
    AccountUnlocked {
        /// Where to sign in.
        sign_in_url: String,
        /// Where to reset the password.
        reset_url: String,
    },
}

impl Template {
    /// A stable name for logs and the outbox (`verify_email`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Template::VerifyEmail { .. } => "verify_email",
            Template::AlreadyRegistered { .. } => "already_registered",
            Template::PasswordReset { .. } => "password_reset",
            Template::PasswordChanged { .. } => "password_changed",
            Template::AccountLocked { .. } => "account_locked",
            Template::IdentityDocumentApproved { .. } => "identity_document_approved",
            Template::IdentityDocumentRejected { .. } => "identity_document_rejected",
            Template::ClosureApproved { .. } => "closure_approved",
            Template::ClosureRejected { .. } => "closure_rejected",
            Template::AccountFrozen { .. } => "account_frozen",
            Template::AccountUnfrozen { .. } => "account_unfrozen",
            Template::AccountUnlocked { .. } => "account_unlocked",
            Template::BankDepositSucceeded { .. } => "bank_deposit_succeeded",
            Template::BankDepositFailed { .. } => "bank_deposit_failed",
            Template::Withdrawal { event, .. } => event.kind(),
            Template::PaymentSucceeded { .. } => "payment_succeeded",
            Template::PaymentRefunded { .. } => "payment_refunded",
            Template::CardDepositSucceeded { .. } => "card_deposit_succeeded",
            Template::TransferSent { .. } => "transfer_sent",
            Template::TransferReceived { .. } => "transfer_received",
            Template::PaymentReceived { .. } => "payment_received",
        }
    }

    /// Renders the message for a recipient called `name`, in `locale`.
    pub fn render(&self, locale: Locale, name: &str) -> Rendered {
        let content = match self {
            Template::ClosureApproved { .. } | Template::ClosureRejected { .. } => closure::content(self, locale),
            Template::BankDepositSucceeded { amount, bank, history_url } => {
                bank::deposit_succeeded(amount, bank, history_url, locale)
            }
            Template::BankDepositFailed { amount, bank, help_url } => {
                bank::deposit_failed(amount, bank, help_url, locale)
            }
            Template::Withdrawal { event, amount, fee, destination, arrival, link } => {
                let facts = withdrawal::Facts { event: *event, amount, fee, destination, arrival, link };
                withdrawal::content(&facts, locale)
            }
            Template::PaymentSucceeded { amount, merchant, card, history_url } => {
                payments::payment_succeeded(amount, merchant, card.as_deref(), history_url, locale)
            }
            Template::PaymentRefunded { amount, merchant, card, history_url } => {
                payments::payment_refunded(amount, merchant, card.as_deref(), history_url, locale)
            }
            Template::CardDepositSucceeded { amount, card, history_url } => {
                money::card_deposit(amount, card, history_url, locale)
            }
            Template::TransferSent { amount, to, note, history_url } => {
                money::transfer_sent(amount, to, note.as_deref(), history_url, locale)
            }
            Template::TransferReceived { amount, from, note, history_url } => {
                money::transfer_received(amount, from, note.as_deref(), history_url, locale)
            }
            Template::PaymentReceived { amount, fee, net, payer, payment, history_url } => {
                let r = money::Received { amount, fee, net, payer, payment, history_url };
                money::payment_received(&r, locale)
            }
            _ => account::content(self, locale),
        };
        content.render(locale, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Template> {
        let link = "https://pay.example/verify-email?token=abc".to_owned();
        vec![
            Template::VerifyEmail { link: link.clone(), valid_hours: 24 },
            Template::AlreadyRegistered {
                sign_in_url: "https://pay.example/sign-in".into(),
                reset_url: "https://pay.example/forgot-password".into(),
                verify_link: Some("https://pay.example/verify-email?token=abc".into()),
            },
            Template::PasswordReset { link: link.clone(), valid_minutes: 30 },
            Template::PasswordChanged { reset_url: "https://pay.example/forgot-password".into() },
            Template::AccountLocked { link, lock_minutes: 15, reset_url: "https://pay.example/forgot-password".into() },
            Template::IdentityDocumentApproved { kind: "passport".into(), limit_factor: 10 },
            Template::IdentityDocumentRejected { kind: "id_card".into(), reason: "The photo is blurred.".into() },
            Template::ClosureApproved { help_url: "https://pay.example/help/close-account".into() },
            Template::ClosureRejected {
                reason: "A refund is still open.".into(),
                help_url: "https://pay.example/help/close-account".into(),
            },
            Template::AccountFrozen {
                reason: "card testing <pattern>".into(),
                help_url: "https://pay.example/help/articles/account-locked".into(),
            },
            Template::AccountUnfrozen { sign_in_url: "https://pay.example/sign-in".into() },
            Template::BankDepositSucceeded {
                amount: "25.00 USD".into(),
                bank: "Bank ****0000".into(),
                history_url: "https://pay.example/transactions".into(),
            },
            Template::BankDepositFailed {
                amount: "25.00 USD".into(),
                bank: "Bank ****1111".into(),
                help_url: "https://pay.example/help/articles/funds-not-received".into(),
            },
            Template::PaymentSucceeded {
                amount: "25.00 USD".into(),
                merchant: "Tea <Shop>".into(),
                card: None,
                history_url: "https://pay.example/transactions".into(),
            },
            Template::PaymentRefunded {
                amount: "5.00 USD".into(),
                merchant: "Tea Shop".into(),
                card: Some("Visa ****4242".into()),
                history_url: "https://pay.example/transactions".into(),
            },
            Template::AccountUnlocked {
                sign_in_url: "https://pay.example/sign-in".into(),
                reset_url: "https://pay.example/forgot-password".into(),
            },
            Template::CardDepositSucceeded {
                amount: "25.00 USD".into(),
                card: "visa ****4242".into(),
                history_url: "https://pay.example/transactions".into(),
            },
            Template::TransferSent {
                amount: "25.00 USD".into(),
                to: "bo@example.com".into(),
                note: Some("lunch <3".into()),
                history_url: "https://pay.example/transactions".into(),
            },
            Template::TransferReceived {
                amount: "25.00 USD".into(),
                from: "ann@example.com".into(),
                note: None,
                history_url: "https://pay.example/transactions".into(),
            },
            Template::PaymentReceived {
                amount: "25.00 USD".into(),
                fee: "0.75 USD".into(),
                net: "24.25 USD".into(),
                payer: "ann@example.com".into(),
                payment: "pay_123".into(),
                history_url: "https://pay.example/transactions".into(),
            },
        ]
        .into_iter()
        .chain(
            [
                WithdrawalEvent::Created,
                WithdrawalEvent::Processing,
                WithdrawalEvent::Paid,
                WithdrawalEvent::Failed,
                WithdrawalEvent::Canceled,
            ]
            .map(|event| Template::Withdrawal {
                event,
                amount: "25.00 USD".into(),
                fee: "0.25 USD".into(),
                destination: "Bank ****0000".into(),
                arrival: "2026-11-22 10:30 UTC".into(),
                link: "https://pay.example/transactions".into(),
            }),
        )
        .collect()
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_template_renders_in_both_languages_with_its_links() {
        for t in all() {
            let en = t.render(Locale::En, "Ann <Lee>");
            let zh = t.render(Locale::Zh, "李安");
            assert!(!has_cjk(&en.subject) && !has_cjk(&en.text), "{}", t.kind());
            assert!(has_cjk(&zh.subject) && has_cjk(&zh.text) && has_cjk(&zh.html), "{}", t.kind());
            assert!(en.text.contains("Ann <Lee>"), "text is not escaped");
            assert!(en.html.contains("Ann &lt;Lee&gt;") && !en.html.contains("<Lee>"), "html is escaped");
            assert!(zh.text.contains("李安"));
            for url in ["https://pay.example/verify-email?token=abc", "https://pay.example/forgot-password"] {
                let in_text = en.text.contains(url);
                assert_eq!(in_text, en.html.contains(url), "{} {url}", t.kind());
                assert_eq!(in_text, zh.text.contains(url), "{} {url}", t.kind());
            }
        }
    }

    #[test]
    fn kinds_are_distinct_and_locales_parse() {
        let mut kinds: Vec<_> = all().iter().map(Template::kind).collect();
        kinds.dedup();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), all().len());
        assert_eq!(Locale::parse("zh-CN"), Locale::Zh);
        assert_eq!(Locale::parse("en"), Locale::En);
        assert_eq!(Locale::parse("fr"), Locale::En);
    }
}
