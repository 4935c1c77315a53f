//! The texts of withdrawal messages: one per status change (created, processing, paid,
//! failed, canceled).

use super::{Content, Locale};

/// Which status change a withdrawal message tells about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalEvent {
    /// Created and held; it can still be canceled.
    Created,
    /// The payout started; it can no longer be canceled.
    Processing,
    /// The money arrived at the destination.
    Paid,
    /// The rail refused or returned it; the money is back in the wallet.
    Failed,
    /// The owner canceled it; the money is back in the wallet.
    Canceled,
}

impl WithdrawalEvent {
    /// The outbox `kind` of its message.
    pub fn kind(self) -> &'static str {
        match self {
            WithdrawalEvent::Created => "withdrawal_created",
            WithdrawalEvent::Processing => "withdrawal_processing",
            WithdrawalEvent::Paid => "withdrawal_paid",
            WithdrawalEvent::Failed => "withdrawal_failed",
            WithdrawalEvent::Canceled => "withdrawal_canceled",
        }
    }
}

/// What every withdrawal message names.
pub(super) struct Facts<'a> {
    pub event: WithdrawalEvent,
    pub amount: &'a str,
    pub fee: &'a str,
    pub destination: &'a str,
    pub arrival: &'a str,
    pub link: &'a str,
}

/// The message of one status change.
pub(super) fn content(f: &Facts<'_>, locale: Locale) -> Content {
    let zh = locale == Locale::Zh;
    let (amount, fee, to, arrival) = (f.amount, f.fee, f.destination, f.arrival);
    let (subject, line) = match (f.event, zh) {
        (WithdrawalEvent::Created, false) => (
            format!("Your withdrawal of {amount} is scheduled"),
            format!(
                "We are sending {amount} to {to} (fee {fee}). The money is set aside in your wallet; you can \
                 still cancel while the withdrawal is pending. Expected arrival: {arrival}."
            ),
        ),
        (WithdrawalEvent::Created, true) => (
            format!("您的 {amount} 提现已提交"),
            format!(
                "我们将向 {to} 转出 {amount}（手续费 {fee}）。这笔钱已在钱包中冻结；提现处于待处理状态时仍可取消。预计到账时间：{arrival}。"
            ),
        ),
        (WithdrawalEvent::Processing, false) => (
            format!("Your withdrawal of {amount} is on its way"),
            format!(
                "We started paying {amount} out to {to}. It can no longer be canceled. Expected arrival: {arrival}."
            ),
        ),
        (WithdrawalEvent::Processing, true) => (
            format!("您的 {amount} 提现正在出款"),
            format!("我们已开始向 {to} 转出 {amount}，此时已无法取消。预计到账时间：{arrival}。"),
        ),
        (WithdrawalEvent::Paid, false) => {
            (format!("Your withdrawal of {amount} was paid"), format!("{amount} was paid out to {to}."))
        }
        (WithdrawalEvent::Paid, true) => (format!("您的 {amount} 提现已完成"), format!("{amount} 已转出至 {to}。")),
        (WithdrawalEvent::Failed, false) => (
            format!("Your withdrawal of {amount} failed"),
            format!(
                "The withdrawal of {amount} to {to} could not be paid. The amount and the fee ({fee}) are \
                 back in your wallet."
            ),
        ),
        (WithdrawalEvent::Failed, true) => (
            format!("您的 {amount} 提现未成功"),
            format!("向 {to} 提现的 {amount} 未能转出，金额和手续费（{fee}）已退回您的钱包。"),
        ),
        (WithdrawalEvent::Canceled, false) => (
            format!("Your withdrawal of {amount} was canceled"),
            format!(
                "You canceled the withdrawal of {amount} to {to}. The amount and the fee ({fee}) are back in your wallet."
            ),
        ),
        (WithdrawalEvent::Canceled, true) => (
            format!("您的 {amount} 提现已取消"),
            format!("您已取消向 {to} 提现的 {amount}，金额和手续费（{fee}）已退回您的钱包。"),
        ),
    };
    Content {
        subject,
        before: vec![line],
        action: Some((if zh { "查看提现".into() } else { "See your withdrawals".into() }, f.link.to_owned())),
        after: vec![if zh {
            "如果这不是您本人的操作，请立即联系客服。".into()
        } else {
            "If you did not ask for this withdrawal, contact support at once.".into()
        }],
    }
}
