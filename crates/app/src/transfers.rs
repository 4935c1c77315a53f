//! Peer transfers: wallet → wallet, one journal, two history rows, in one commit.

use okpay_domain::ids::IdKind;
use okpay_domain::limits::Movement;
use okpay_domain::time::now_us;
use okpay_domain::{Amount, Currency, Email, UserStatus};
use okpay_ledger::{Command, Leg, Outcome, StatementLine, Transfer};

use crate::deposits::ledger_error;
use crate::error::{AppError, Code};
use crate::ports::UserRecord;
use crate::{App, Caller};

/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A transfer request, validated by the caller's parser except for `to`.
#[derive(Debug, Clone)]
pub struct TransferRequest {
    /// Recipient: an email or a `usr_` id.
    pub to: String,
    /// Amount.
    pub amount: Amount,
    /// Currency.
    pub currency: Currency,
    /// Note shown to both parties.
    pub description: Option<String>,
}

/// A completed transfer as shown to the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferDone {
    /// `tr_...`
    pub id: String,
    /// Amount.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Always `succeeded`: a transfer either posts or fails with an error.
    pub status: String,
    /// The recipient as shown to the sender.
    pub to: String,
    /// Note.
    pub description: Option<String>,
    /// The sender's history row, `txn_...`.
    pub transaction: String,
    /// µs since the epoch.
    pub created_at_us: i64,
}

impl App {
    /// Sends money to another OKPay user.
    pub async fn transfer(
        &self,
        caller: &Caller,
        idempotency_key: &str,
        req: TransferRequest,
    ) -> Result<TransferDone, AppError> {
        caller.ensure_can_move_money()?;
        let description = match req.description {
            Some(d) => Some(check_description(&d)?),
            None => None,
        };
        let recipient = self.find_recipient(&req.to).await?;
        if recipient.id == caller.id() {
            return Err(AppError::new(Code::TransferToSelf).param("to"));
        }
        let can_receive = UserStatus::parse(&recipient.status).is_some_and(UserStatus::can_receive);
        if !can_receive {
            return Err(AppError::new(Code::RecipientUnavailable).param("to"));
        }
        let id = IdKind::Transfer.derived(&[caller.id(), idempotency_key]);
        let _gate = self.check_limit(caller, Movement::Transfer, req.currency, req.amount.minor(), &id).await?;
        let now = now_us();
        let line = |owner: &UserRecord, kind: &str, other: &UserRecord| StatementLine {
            // Time-ordered, not derived from the transfer's id: these rows are written only
            // with the journal, whose reference refuses a replay, and a replay reads the rows
            // back by source. The history's id index takes them at its end.
            id: IdKind::Transaction.time_ordered(now),
            owner: owner.id.clone(),
            kind: kind.into(),
            amount_minor: req.amount.minor(),
            fee_minor: 0,
            currency: req.currency,
            status: "succeeded".into(),
            source_id: id.clone(),
            counterparty: Some(other.email.clone()),
            description: description.clone(),
            details: None,
            created_at_us: now,
            notify: true,
        };
        let out = line(&caller.user, "transfer_out", &recipient);
        let inn = line(&recipient, "transfer_in", &caller.user);
        let from = self.accounts.wallet(caller.id(), req.currency).await?;
        let to = self.accounts.wallet(&recipient.id, req.currency).await?;
        let cmd = Command::Transfer(Transfer {
            reference: id.clone(),
            kind: "transfer".into(),
            currency: req.currency,
            legs: vec![Leg { debit: from, credit: to, amount: req.amount }],
            lines: vec![out.clone(), inn],
        });
        let line = match self.ledger.submit(cmd).await.map_err(ledger_error)? {
            Outcome::Posted { .. } => {
                self.notices_queued();
                self.assess_later(out.clone());
                out
            }
            Outcome::Duplicate => self
                .store
                .line_by_source(caller.id(), &id)
                .await?
                .ok_or_else(|| AppError::internal(format!("duplicate transfer {id} has no history row")))?,
            other => return Err(AppError::internal(format!("unexpected ledger outcome {other:?}"))),
        };
        Ok(TransferDone {
            id,
            amount: line.amount_minor,
            currency: line.currency,
            status: line.status,
            to: line.counterparty.unwrap_or_default(),
            description: line.description,
            transaction: line.id,
            created_at_us: line.created_at_us,
        })
    }

    async fn find_recipient(&self, to: &str) -> Result<UserRecord, AppError> {
        let to = to.trim();
        let found = if to.starts_with(IdKind::User.prefix()) {
            self.store.user_by_id(to).await?
        } else {
            let email = Email::parse(to).map_err(|_| AppError::new(Code::RecipientNotFound).param("to"))?;
            self.store.user_by_email(email.as_str()).await?
        };
        found.ok_or_else(|| AppError::new(Code::RecipientNotFound).param("to"))
    }
}

pub(crate) fn check_description(d: &str) -> Result<String, AppError> {
    let d = d.trim();
    if d.chars().count() > MAX_DESCRIPTION_CHARS || d.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::new(Code::ParameterInvalid).param("description"));
    }
    Ok(d.to_owned())
}
