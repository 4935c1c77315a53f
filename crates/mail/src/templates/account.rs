//! The texts of the account-security messages (sign-up, reset, lockout, freeze); identity-document
//! reviews are delegated to `kyc.rs`.

use super::{Content, Locale, Template};

/// What `template` says in `locale` (the identity-document messages are in `kyc.rs`).
pub(super) fn content(template: &Template, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    match template {
        Template::VerifyEmail { link, valid_hours } => Content {
            subject: pick(zh, "Confirm your email address", "请验证您的邮箱地址"),
            before: vec![pick(
                zh,
                "Thanks for signing up for OKPay. Please confirm that this is your email address.",
                "感谢您注册 OKPay。请确认这是您本人的邮箱地址。",
            )],
            action: Some((pick(zh, "Verify my email", "验证邮箱"), link.clone())),
            after: vec![
                if zh {
                    format!("该链接 {valid_hours} 小时内有效，且只能使用一次。验证完成后即可充值和转账。")
                } else {
                    format!(
                        "The link works once and expires in {valid_hours} hours. Once you've verified, you can add \
                     money and send transfers."
                    )
                },
                pick(zh, "If you didn't sign up, you can ignore this email.", "如果您没有注册过 OKPay，请忽略本邮件。"),
            ],
        },
        Template::AlreadyRegistered { sign_in_url, reset_url, verify_link } => Content {
            subject: pick(zh, "You already have an OKPay account", "您已经拥有 OKPay 账户"),
            before: vec![pick(
                zh,
                "Someone (hopefully you) just tried to sign up for OKPay with this email address, but it already \
                 has an account. No new account was created.",
                "有人（希望是您本人）刚刚尝试用此邮箱注册 OKPay，但该邮箱已有账户，因此没有创建新账户。",
            )],
            action: Some((pick(zh, "Sign in", "登录"), sign_in_url.clone())),
            after: [
                verify_link.as_ref().map(|link| {
                    if zh {
                        format!("您还没有验证此邮箱，请点击以下链接完成验证：{link}")
                    } else {
                        format!("You haven't confirmed this address yet. Confirm it here: {link}")
                    }
                }),
                Some(if zh {
                    format!("如果忘记了密码，可以在这里重置：{reset_url}")
                } else {
                    format!("Forgot your password? Reset it here: {reset_url}")
                }),
                Some(pick(
                    zh,
                    "If this wasn't you, you can ignore this email.",
                    "如果这不是您本人的操作，请忽略本邮件。",
                )),
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
        Template::PasswordReset { link, valid_minutes } => Content {
            subject: pick(zh, "Reset your OKPay password", "重置您的 OKPay 密码"),
            before: vec![pick(
                zh,
                "We received a request to reset the password of your OKPay account.",
                "我们收到了重置您 OKPay 账户密码的请求。",
            )],
            action: Some((pick(zh, "Choose a new password", "设置新密码"), link.clone())),
            after: vec![
                if zh {
                    format!("该链接 {valid_minutes} 分钟内有效，且只能使用一次。重置后，所有设备上的登录都将退出。")
                } else {
                    format!(
                        "The link works once and expires in {valid_minutes} minutes. Resetting signs you out on every \
                     device."
                    )
                },
                pick(
                    zh,
                    "If you didn't ask for this, ignore this email: your password stays the same.",
                    "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。",
                ),
            ],
        },
        Template::PasswordChanged { reset_url } => Content {
            subject: pick(zh, "Your OKPay password was changed", "您的 OKPay 密码已修改"),
            before: vec![pick(
                zh,
                "The password of your OKPay account was just changed, and every device was signed out.",
                "您的 OKPay 账户密码刚刚被修改，所有设备上的登录均已退出。",
            )],
            action: None,
            after: vec![if zh {
                format!("如果这不是您本人的操作，请立即重置密码并联系客服：{reset_url}")
            } else {
                format!("If this wasn't you, reset your password now and contact support: {reset_url}")
            }],
        },
        Template::AccountLocked { link, lock_minutes, reset_url } => Content {
            subject: pick(zh, "Your OKPay account is temporarily locked", "您的 OKPay 账户已被暂时锁定"),
            before: vec![
                if zh {
                    format!("由于连续多次登录失败，为保护您的账户，我们已将其锁定 {lock_minutes} 分钟。")
                } else {
                    format!(
                        "There were too many failed sign-in attempts on your account, so we locked it for \
                     {lock_minutes} minutes to keep it safe."
                    )
                },
                pick(
                    zh,
                    "If it was you, you can unlock it now instead of waiting, or simply try again later.",
                    "如果是您本人操作，可以立即解锁，无需等待；也可以稍后再试。",
                ),
            ],
            action: Some((pick(zh, "Unlock my account", "解锁账户"), link.clone())),
            after: vec![if zh {
                format!("如果不是您本人操作，可能有人在尝试猜测您的密码，建议您重置密码：{reset_url}")
            } else {
                format!("If it wasn't you, someone may be guessing your password; consider resetting it: {reset_url}")
            }],
        },
        Template::IdentityDocumentApproved { kind, limit_factor } => super::kyc::approved(kind, *limit_factor, locale),
        Template::IdentityDocumentRejected { kind, reason } => super::kyc::rejected(kind, reason, locale),
        Template::AccountFrozen { reason, help_url } => Content {
            subject: pick(zh, "Your OKPay account is frozen", "您的 OKPay 账户已被冻结"),
            before: vec![
                pick(
                    zh,
                    "We have frozen your OKPay account: until it is lifted you can't sign in, send money or withdraw, \
                     and every device has been signed out. Your balance stays safe in your account.",
                    "我们已冻结您的 OKPay 账户：解冻之前，您无法登录、转账或提现，所有设备上的登录均已退出。您的余额安全地保留在账户中。",
                ),
                if zh { format!("原因：{reason}") } else { format!("Reason: {reason}") },
            ],
            action: Some((pick(zh, "What to do next", "下一步怎么做"), help_url.clone())),
            after: vec![pick(
                zh,
                "To have the freeze reviewed, reply to this email or contact support; we may ask you for identity \
                 documents. Only our support team can lift a freeze.",
                "如需申请复核，请回复本邮件或联系客服；我们可能会请您提供身份证件。只有客服团队可以解除冻结。",
            )],
        },
        Template::AccountUnfrozen { sign_in_url } => Content {
            subject: pick(zh, "Your OKPay account is active again", "您的 OKPay 账户已恢复正常"),
            before: vec![pick(
                zh,
                "We have lifted the freeze on your OKPay account. You can sign in and use it as before.",
                "我们已解除您 OKPay 账户的冻结。您可以像以前一样登录和使用。",
            )],
            action: Some((pick(zh, "Sign in", "登录"), sign_in_url.clone())),
            after: vec![],
        },
        Template::AccountUnlocked { sign_in_url, reset_url } => Content {
            subject: pick(zh, "Your OKPay account is unlocked", "您的 OKPay 账户已解锁"),
            before: vec![pick(
                zh,
                "Our support team has unlocked your OKPay account. You can sign in again now.",
                "我们的客服团队已为您解锁 OKPay 账户，您现在可以重新登录。",
            )],
            action: Some((pick(zh, "Sign in", "登录"), sign_in_url.clone())),
            after: vec![if zh {
                format!("如果您不记得密码，可以在这里重置：{reset_url}")
            } else {
                format!("If you don't remember your password, reset it here: {reset_url}")
            }],
        },
        // Written by `closure.rs`; `Template::render` never asks this module for them.
        Template::ClosureApproved { .. }
        | Template::ClosureRejected { .. }
        | Template::BankDepositSucceeded { .. }
        | Template::BankDepositFailed { .. }
        | Template::Withdrawal { .. } => Content::default(),
        Template::PaymentSucceeded { .. } | Template::PaymentRefunded { .. } => Content::default(),
        Template::CardDepositSucceeded { .. }
        | Template::TransferSent { .. }
        | Template::TransferReceived { .. }
        | Template::PaymentReceived { .. } => Content::default(),
    }
}

fn pick(zh: bool, en: &str, zh_text: &str) -> String {
    if zh { zh_text } else { en }.to_owned()
}
