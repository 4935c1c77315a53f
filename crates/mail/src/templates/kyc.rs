//! The texts of identity-document (KYC) review messages.

use super::{Content, Locale};

/// A document kind's name in a sentence (`passport` → "passport" / "护照").
fn kind_name(kind: &str, zh: bool) -> &'static str {
    match (kind, zh) {
        ("passport", false) => "passport",
        ("passport", true) => "护照",
        ("id_card", false) => "identity card",
        ("id_card", true) => "身份证",
        ("proof_of_address", false) => "proof of address",
        ("proof_of_address", true) => "地址证明",
        (_, false) => "identity document",
        (_, true) => "身份证件",
    }
}

/// The document was approved: the account is verified and its limits are higher.
pub(super) fn approved(kind: &str, limit_factor: i64, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    let name = kind_name(kind, zh);
    Content {
        subject: if zh {
            "您的身份证件已通过审核".into()
        } else {
            "Your identity document was approved".into()
        },
        before: vec![if zh {
            format!("我们已审核您上传的{name}，审核通过。您的账户已完成身份验证。")
        } else {
            format!("We reviewed the {name} you uploaded and approved it. Your account is now verified.")
        }],
        action: None,
        after: vec![if zh {
            format!("您每日的充值、转账和提现限额已提高到原来的 {limit_factor} 倍。")
        } else {
            format!("Your daily limits for deposits, transfers and withdrawals are now {limit_factor} times higher.")
        }],
    }
}

/// The document was rejected, for `reason`; the owner may upload another.
pub(super) fn rejected(kind: &str, reason: &str, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    let name = kind_name(kind, zh);
    Content {
        subject: if zh {
            "您的身份证件未通过审核".into()
        } else {
            "We couldn't approve your identity document".into()
        },
        before: vec![
            if zh {
                format!("我们已审核您上传的{name}，但未能通过。")
            } else {
                format!("We reviewed the {name} you uploaded but couldn't approve it.")
            },
            if zh { format!("原因：{reason}") } else { format!("Reason: {reason}") },
        ],
        action: None,
        after: vec![if zh {
            "请上传一份新的、清晰完整的证件（JPEG、PNG 或 PDF 格式）。如有疑问，请联系客服。".into()
        } else {
            "Please upload a new, clear and complete copy (JPEG, PNG or PDF). If you have questions, contact support."
                .into()
        }],
    }
}
