//! The texts of the account-closure messages (approved, rejected).

use super::{Content, Locale, Template};

/// What a closure `template` says in `locale` (the other templates are written by `account.rs`,
/// which [`super::Template::render`] picks for them).
pub(super) fn content(template: &Template, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    match template {
        Template::ClosureApproved { help_url } => Content {
            subject: pick(zh, "Your OKPay account is closed", "您的 OKPay 账户已注销"),
            before: vec![
                pick(
                    zh,
                    "As you asked, we have closed your OKPay account. You can no longer sign in, and every device \
                     was signed out.",
                    "根据您的申请，我们已注销您的 OKPay 账户。您将无法再登录，所有设备上的登录均已退出。",
                ),
                pick(
                    zh,
                    "Your name, email address, linked cards and bank accounts and documents have been erased. \
                     Records of past transactions are kept, without your name, as the law requires. This is the \
                     last email we send to this address.",
                    "您的姓名、邮箱地址、绑定的银行卡和银行账户以及证件资料均已删除。按照法律要求，历史交易记录\
                     会以不含您姓名的形式保留。这是我们发送到此邮箱的最后一封邮件。",
                ),
            ],
            action: None,
            after: vec![if zh {
                format!("如果这不是您本人申请的，请立即联系客服：{help_url}")
            } else {
                format!("If you didn't ask for this, contact support straight away: {help_url}")
            }],
        },
        Template::ClosureRejected { reason, help_url } => Content {
            subject: pick(zh, "We couldn't close your OKPay account", "您的 OKPay 账户注销申请未通过"),
            before: vec![
                pick(
                    zh,
                    "We reviewed your request to close your OKPay account and couldn't approve it. Your account \
                     stays open and works as before.",
                    "我们审核了您的账户注销申请，暂时无法批准。您的账户保持开通，可以照常使用。",
                ),
                if zh { format!("原因：{reason}") } else { format!("Reason: {reason}") },
            ],
            action: None,
            after: vec![if zh {
                format!("处理上述问题后可以重新申请注销；如有疑问，请联系客服：{help_url}")
            } else {
                format!("Once that is sorted out you can ask again; questions are welcome: {help_url}")
            }],
        },
        _ => Content::default(),
    }
}

fn pick(zh: bool, en: &str, zh_text: &str) -> String {
    if zh { zh_text } else { en }.to_owned()
}
