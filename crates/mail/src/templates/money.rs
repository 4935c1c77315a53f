//! The texts of the notices about money that moved at once: a card deposit, a transfer sent or
//! received, a merchant's payment received.

use super::{Content, Locale};

/// The "see your transactions" button.
fn history_button(history_url: &str, zh: bool) -> Option<(String, String)> {
    Some((if zh { "查看交易记录".into() } else { "See your transactions".into() }, history_url.to_owned()))
}

/// The sender's note, quoted, if there is one.
fn note_line(note: Option<&str>, zh: bool) -> Vec<String> {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) if zh => vec![format!("附言：“{n}”")],
        Some(n) => vec![format!("Note: \u{201c}{n}\u{201d}")],
        None => Vec::new(),
    }
}

/// The warning that ends a notice of money leaving the account.
fn not_you(zh: bool) -> String {
    if zh {
        "如果这不是您本人的操作，请立即修改密码并联系 OKPay 客服。".into()
    } else {
        "If this was not you, change your password and contact OKPay support right away.".into()
    }
}

/// A card deposit succeeded: the money is in the wallet.
pub(super) fn card_deposit(amount: &str, card: &str, history_url: &str, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    Content {
        subject: if zh {
            format!("{amount} 已充值到您的钱包")
        } else {
            format!("You added {amount} to your OKPay wallet")
        },
        before: vec![if zh {
            format!("您已从 {card} 充值 {amount}，款项已到账，现在可以使用。")
        } else {
            format!("You added {amount} from {card}. It is in your wallet and available to spend now.")
        }],
        action: history_button(history_url, zh),
        after: vec![not_you(zh)],
    }
}

/// The owner sent money to another OKPay user.
pub(super) fn transfer_sent(amount: &str, to: &str, note: Option<&str>, history_url: &str, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    let mut before =
        vec![if zh { format!("您已向 {to} 转账 {amount}。") } else { format!("You sent {amount} to {to}.") }];
    before.extend(note_line(note, zh));
    Content {
        subject: if zh { format!("您已向 {to} 转账 {amount}") } else { format!("You sent {amount} to {to}") },
        before,
        action: history_button(history_url, zh),
        after: vec![not_you(zh)],
    }
}

/// Another OKPay user sent the owner money.
pub(super) fn transfer_received(
    amount: &str,
    from: &str,
    note: Option<&str>,
    history_url: &str,
    locale: Locale,
) -> Content {
    let zh = locale == Locale::Zh;
    let mut before = vec![if zh {
        format!("{from} 向您转账 {amount}，款项已到您的钱包。")
    } else {
        format!("{from} sent you {amount}. It is in your wallet now.")
    }];
    before.extend(note_line(note, zh));
    Content {
        subject: if zh { format!("您收到来自 {from} 的 {amount}") } else { format!("{from} sent you {amount}") },
        before,
        action: history_button(history_url, zh),
        after: vec![],
    }
}

/// What a merchant's payment notice says.
pub(super) struct Received<'a> {
    /// The payment's amount, formatted.
    pub amount: &'a str,
    /// OKPay's fee, formatted.
    pub fee: &'a str,
    /// What reached the merchant's balance, formatted.
    pub net: &'a str,
    /// Who paid.
    pub payer: &'a str,
    /// The payment, `pay_...`.
    pub payment: &'a str,
    /// Where the merchant sees the history.
    pub history_url: &'a str,
}

/// A merchant received a payment.
pub(super) fn payment_received(r: &Received<'_>, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    let (amount, fee, net, payer, payment) = (r.amount, r.fee, r.net, r.payer, r.payment);
    Content {
        subject: if zh {
            format!("您收到一笔 {amount} 的付款")
        } else {
            format!("You received a payment of {amount}")
        },
        before: vec![if zh {
            format!("{payer} 已支付 {amount}（付款编号 {payment}）。扣除手续费 {fee} 后，{net} 已计入您的余额。")
        } else {
            format!("{payer} paid {amount} (payment {payment}). After the {fee} fee, {net} was added to your balance.")
        }],
        action: history_button(r.history_url, zh),
        after: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_quoted_and_blank_notes_left_out() {
        let with = transfer_sent("5.00 USD", "bo@example.com", Some(" lunch "), "u", Locale::En);
        assert_eq!(with.before.len(), 2);
        assert!(with.before[1].contains("\u{201c}lunch\u{201d}"));
        let blank = transfer_received("5.00 USD", "ann@example.com", Some("  "), "u", Locale::Zh);
        assert_eq!(blank.before.len(), 1);
        assert!(blank.subject.contains("ann@example.com") && blank.subject.contains("5.00 USD"));
    }

    #[test]
    fn a_merchant_notice_names_fee_and_net() {
        let r = Received {
            amount: "10.00 USD",
            fee: "0.30 USD",
            net: "9.70 USD",
            payer: "ann@example.com",
            payment: "pay_1",
            history_url: "u",
        };
        for locale in [Locale::En, Locale::Zh] {
            let c = payment_received(&r, locale);
            assert!(
                c.before[0].contains("0.30 USD") && c.before[0].contains("9.70 USD") && c.before[0].contains("pay_1")
            );
        }
    }
}
