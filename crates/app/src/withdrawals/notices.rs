//! The owner's mail about each status change of a withdrawal.

use okpay_domain::time::rfc3339;
use okpay_mail::{Template, WithdrawalEvent};

use crate::App;
use crate::error::AppError;
use crate::outbox::compose;
use crate::ports::{OutboxMail, PaymentMethodRecord, WithdrawalRecord};

/// The destination as its owner knows it: `First Bank ****0000`, `visa ****4242`.
pub(super) fn destination(pm: &PaymentMethodRecord) -> String {
    match pm.kind.as_str() {
        "card" => format!("{} ****{}", pm.brand.as_deref().unwrap_or("card"), pm.last4),
        _ => format!("{} ****{}", pm.bank_name.as_deref().unwrap_or("bank account"), pm.last4),
    }
}

/// `2026-11-22 10:30 UTC`, for people.
fn human_time(us: i64) -> String {
    let s = rfc3339(us);
    match (s.get(..10), s.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => s,
    }
}

impl App {
    /// The owner's mail about `event` (none if the owner is gone).
    pub(super) async fn withdrawal_mail(
        &self,
        w: &WithdrawalRecord,
        event: WithdrawalEvent,
    ) -> Result<Option<OutboxMail>, AppError> {
        let Some(owner) = self.store.user_by_id(&w.owner).await? else { return Ok(None) };
        let destination = match self.store.payment_method(&w.owner, &w.payment_method).await? {
            Some(pm) => destination(&pm),
            None => "your payment method".into(),
        };
        let template = Template::Withdrawal {
            event,
            amount: w.currency.format(w.amount_minor),
            fee: w.currency.format(w.fee_minor),
            destination,
            arrival: human_time(w.estimated_arrival_us),
            link: self.link("/help/articles/transaction-history"),
        };
        Ok(Some(compose(&owner.email, &owner.locale, &owner.name, &template)))
    }

    /// Queues the "created" mail unless it went out before (a replay, or the worker making up
    /// for a request that died after its hold).
    pub(super) async fn queue_created_mail(&self, w: &WithdrawalRecord) -> Result<(), AppError> {
        if w.created_mailed {
            return Ok(());
        }
        if let Some(mail) = self.withdrawal_mail(w, WithdrawalEvent::Created).await?
            && self.store.queue_withdrawal_created_mail(&w.id, &mail).await?
        {
            self.mail_queued();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arrival_reads_as_a_time() {
        assert_eq!(super::human_time(1_795_000_000_000_000), "2026-11-18 11:06 UTC");
    }
}
