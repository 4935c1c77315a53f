//! Snapshots of every message in both languages (subject and text part), so a change to what
//! customers read shows up in review.
#![allow(missing_docs)]

use okpay_mail::{Locale, Template};

fn all() -> Vec<Template> {
    let base = "https://pay.example.com";
    vec![
        Template::VerifyEmail { link: format!("{base}/verify-email?token=tok"), valid_hours: 24 },
        Template::AlreadyRegistered {
            sign_in_url: format!("{base}/sign-in"),
            reset_url: format!("{base}/forgot-password"),
            verify_link: None,
        },
        Template::AlreadyRegistered {
            sign_in_url: format!("{base}/sign-in"),
            reset_url: format!("{base}/forgot-password"),
            verify_link: Some(format!("{base}/verify-email?token=tok")),
        },
        Template::PasswordReset { link: format!("{base}/reset-password?token=tok"), valid_minutes: 30 },
        Template::PasswordChanged { reset_url: format!("{base}/forgot-password") },
        Template::AccountLocked {
            link: format!("{base}/unlock?token=tok"),
            lock_minutes: 15,
            reset_url: format!("{base}/forgot-password"),
        },
        Template::IdentityDocumentApproved { kind: "passport".into(), limit_factor: 10 },
        Template::IdentityDocumentRejected {
            kind: "proof_of_address".into(),
            reason: "The statement is older than three months.".into(),
        },
        Template::ClosureApproved { help_url: format!("{base}/help/close-account") },
        Template::ClosureRejected {
            reason: "A refund is still open.".into(),
            help_url: format!("{base}/help/close-account"),
        },
    ]
}

#[test]
fn messages_read_as_reviewed() {
    let mut out = String::new();
    for t in all() {
        for (locale, name) in [(Locale::En, "Ann Lee"), (Locale::Zh, "李安")] {
            let r = t.render(locale, name);
            out.push_str(&format!("=== {} {:?}\nSubject: {}\n\n{}\n", t.kind(), locale, r.subject, r.text));
        }
    }
    insta::assert_snapshot!(out);
}
