//! Closing an account, the customer's side: ask for closure (refused while money is in the
//! account or on its way) and see one's requests. Staff decide in [`crate::closure_review`].

use okpay_domain::UserStatus;
use okpay_domain::closure::{ClosureStatus, parse_reason};
use okpay_domain::ids::IdKind;
use okpay_domain::time::now_us;

use crate::audit::Event;
use crate::error::{AppError, Code, Details};
use crate::ports::{ClosureRecord, OpenBalance};
use crate::{App, Caller};

/// Most requests listed.
pub const MAX_LISTED: u32 = 100;

/// What kind of money keeps an account open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockerKind {
    /// A posted balance that is not zero.
    Balance,
    /// Incoming money not yet settled (e.g. a bank deposit in transit).
    PendingIncoming,
    /// Money held for an outgoing movement in progress (e.g. a withdrawal being paid out).
    PendingOutgoing,
}

impl BlockerKind {
    /// The wire value (`type` of a blocker).
    pub fn as_str(self) -> &'static str {
        match self {
            BlockerKind::Balance => "balance",
            BlockerKind::PendingIncoming => "pending_incoming",
            BlockerKind::PendingOutgoing => "pending_outgoing",
        }
    }
}

/// One reason an account cannot be closed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// What it is.
    pub kind: BlockerKind,
    /// Lowercase ISO code.
    pub currency: String,
    /// Minor units.
    pub amount_minor: i64,
}

/// Everything in `accounts` that keeps the account open: per currency, a non-zero posted
/// balance, pending incoming money and pending holds, in that order.
pub fn blockers(accounts: &[OpenBalance]) -> Vec<Blocker> {
    let mut out = Vec::new();
    for a in accounts {
        for (kind, amount_minor) in [
            (BlockerKind::Balance, a.balance),
            (BlockerKind::PendingIncoming, a.credits_pending),
            (BlockerKind::PendingOutgoing, a.debits_pending),
        ] {
            if amount_minor != 0 {
                out.push(Blocker { kind, currency: a.currency.clone(), amount_minor });
            }
        }
    }
    out
}

/// `closure_blocked` listing `blockers`.
pub fn blocked(blockers: Vec<Blocker>) -> AppError {
    AppError::new(Code::ClosureBlocked).details(Details::Blockers(blockers))
}

impl App {
    /// What keeps `user_id`'s account open now (empty when it may be closed).
    pub async fn closure_blockers(&self, user_id: &str) -> Result<Vec<Blocker>, AppError> {
        let accounts = self.ledger.store().accounts_of(user_id).await?;
        let open: Vec<OpenBalance> = accounts
            .into_iter()
            .map(|a| OpenBalance {
                currency: a.currency.code().to_owned(),
                balance: a.balance,
                debits_pending: a.debits_pending,
                credits_pending: a.credits_pending,
            })
            .collect();
        Ok(blockers(&open))
    }

    /// Asks staff to close the caller's account. Refused unless the terms are accepted, the
    /// account is in good standing (a frozen account stays under review), nothing holds or
    /// expects money, and no other request is waiting.
    pub async fn request_closure(
        &self,
        caller: &Caller,
        reason: &str,
        accept_terms: bool,
    ) -> Result<ClosureRecord, AppError> {
        if !accept_terms {
            return Err(AppError::new(Code::TermsNotAccepted).param("accept_terms"));
        }
        let reason = parse_reason(reason).map_err(|e| AppError::invalid(e, "reason"))?;
        match UserStatus::parse(&caller.user.status) {
            Some(UserStatus::Active | UserStatus::PendingVerification) => {}
            Some(UserStatus::Frozen) => return Err(AppError::new(Code::AccountFrozen)),
            Some(UserStatus::Locked) => return Err(AppError::new(Code::AccountLocked)),
            Some(UserStatus::Closed) => return Err(AppError::new(Code::AccountClosed)),
            None => return Err(AppError::internal(format!("unknown user status {}", caller.user.status))),
        }
        let blockers = self.closure_blockers(caller.id()).await?;
        if !blockers.is_empty() {
            return Err(blocked(blockers));
        }
        let record = ClosureRecord {
            id: IdKind::ClosureRequest.random(),
            user_id: caller.id().to_owned(),
            status: ClosureStatus::PendingReview.as_str().to_owned(),
            reason,
            created_at_us: now_us(),
            decided_by: None,
            decided_at_us: None,
            decision_note: None,
        };
        if !self.store.insert_closure_request(&record).await? {
            return Err(AppError::new(Code::ClosureAlreadyRequested));
        }
        self.audit(Event { reason: Some(&record.id), ..Event::by(caller, "closure_requested") }).await?;
        Ok(record)
    }

    /// The caller's closure requests, newest first.
    pub async fn closure_requests(&self, caller: &Caller) -> Result<Vec<ClosureRecord>, AppError> {
        Ok(self.store.closure_requests_of(caller.id(), MAX_LISTED).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(currency: &str, balance: i64, debits_pending: i64, credits_pending: i64) -> OpenBalance {
        OpenBalance { currency: currency.into(), balance, debits_pending, credits_pending }
    }

    #[test]
    fn empty_accounts_block_nothing() {
        assert!(blockers(&[]).is_empty());
        assert!(blockers(&[account("usd", 0, 0, 0), account("eur", 0, 0, 0)]).is_empty());
    }

    #[test]
    fn every_kind_of_money_blocks() {
        let found = blockers(&[account("usd", 1050, 300, 0), account("jpy", 0, 0, 500)]);
        let summary: Vec<_> = found.iter().map(|b| (b.kind.as_str(), b.currency.as_str(), b.amount_minor)).collect();
        assert_eq!(
            summary,
            [("balance", "usd", 1050), ("pending_outgoing", "usd", 300), ("pending_incoming", "jpy", 500)]
        );
        assert_eq!(blocked(found).code, Code::ClosureBlocked);
    }
}
