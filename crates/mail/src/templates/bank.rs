//! The texts of bank-deposit messages (money arrived, deposit failed).

use super::{Content, Locale};

/// The bank settled the deposit: the money is available in the wallet.
pub(super) fn deposit_succeeded(amount: &str, bank: &str, history_url: &str, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    Content {
        subject: if zh { format!("{amount} 已到账") } else { format!("{amount} arrived in your OKPay wallet") },
        before: vec![if zh {
            format!("您从 {bank} 充值的 {amount} 已到账，现在可以使用了。")
        } else {
            format!("The {amount} you deposited from {bank} has arrived. It is available to spend now.")
        }],
        action: Some((if zh { "查看交易记录".into() } else { "See your transactions".into() }, history_url.to_owned())),
        after: vec![],
    }
}

/// The bank returned the deposit: nothing was added to the wallet.
pub(super) fn deposit_failed(amount: &str, bank: &str, help_url: &str, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    Content {
        subject: if zh {
            format!("{amount} 银行充值未成功")
        } else {
            format!("Your bank deposit of {amount} failed")
        },
        before: vec![if zh {
            format!("您的银行退回了从 {bank} 充值的 {amount}，钱包未入账，也不会扣款。")
        } else {
            format!(
                "Your bank returned the deposit of {amount} from {bank}. Nothing was added to your wallet and \
                 nothing was taken from your account."
            )
        }],
        action: Some((if zh { "了解原因".into() } else { "Why this happens".into() }, help_url.to_owned())),
        after: vec![if zh {
            "请向银行确认该账户可以转出这笔金额，然后重试或改用其他账户。".into()
        } else {
            "Check with your bank that the account can send this amount, then try again or use another account.".into()
        }],
    }
}
