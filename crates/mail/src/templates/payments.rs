//! The texts of merchant-payment messages to the payer (receipt, refund).

use super::{Content, Locale};

/// The payer paid a merchant: a receipt.
pub(super) fn payment_succeeded(
    amount: &str,
    merchant: &str,
    card: Option<&str>,
    history_url: &str,
    locale: Locale,
) -> Content {
    let zh = locale == Locale::Zh;
    let method = match (card, zh) {
        (Some(card), _) => card.to_owned(),
        (None, true) => "OKPay 钱包".to_owned(),
        (None, false) => "your OKPay wallet".to_owned(),
    };
    Content {
        subject: if zh {
            format!("您已向 {merchant} 支付 {amount}")
        } else {
            format!("You paid {amount} to {merchant}")
        },
        before: vec![if zh {
            format!("您已通过 {method} 向 {merchant} 成功支付 {amount}。")
        } else {
            format!("Your payment of {amount} to {merchant} with {method} succeeded.")
        }],
        action: Some((if zh { "查看交易记录".into() } else { "See your transactions".into() }, history_url.to_owned())),
        after: vec![if zh {
            "如果这笔付款不是您本人操作，请立即联系 OKPay 客服。".into()
        } else {
            "If you did not make this payment, contact OKPay support right away.".into()
        }],
    }
}

/// A merchant refunded (part of) a payment.
pub(super) fn payment_refunded(
    amount: &str,
    merchant: &str,
    card: Option<&str>,
    history_url: &str,
    locale: Locale,
) -> Content {
    let zh = locale == Locale::Zh;
    let destination = match (card, zh) {
        (Some(card), _) => card.to_owned(),
        (None, true) => "您的 OKPay 钱包".to_owned(),
        (None, false) => "your OKPay wallet".to_owned(),
    };
    Content {
        subject: if zh {
            format!("{merchant} 已向您退款 {amount}")
        } else {
            format!("{merchant} refunded you {amount}")
        },
        before: vec![if zh {
            format!("{merchant} 已退款 {amount}，款项退回至 {destination}。")
        } else {
            format!("{merchant} refunded {amount} to {destination}.")
        }],
        action: Some((if zh { "查看交易记录".into() } else { "See your transactions".into() }, history_url.to_owned())),
        after: vec![if zh {
            "退回银行卡的款项可能需要几个工作日才会显示在账单上。".into()
        } else {
            "A refund to a card can take a few business days to show on your statement.".into()
        }],
    }
}
