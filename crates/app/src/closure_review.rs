//! Closing an account, the staff side: approve (the account is closed, its personal data
//! erased, its books kept) or reject (the account stays as it was). Both are audited with the
//! staff member as actor, the owner as subject and the staff member's reason, and both are
//! mailed to the owner.

use okpay_domain::closure::{ClosureStatus, ERASED_PASSWORD_HASH, parse_reason, pseudonymous_email};
use okpay_domain::ids::{IdKind, token_hash};
use okpay_domain::time::now_us;
use okpay_mail::Template;

use crate::audit::Event;
use crate::closure::{blocked, blockers};
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{ApprovalOutcome, ClosureApproval, ClosureRecord, Erasure, UserRecord};
use crate::{App, Caller};

/// Path of the help article linked from the closure mails.
const HELP_PATH: &str = "/help/articles/close-account";

impl App {
    /// Approves a pending closure request: in one transaction the balances are checked again
    /// (money may have arrived since the request), the confirmation is queued to the address on
    /// file, then the account is closed and its personal data erased.
    pub async fn approve_closure(&self, staff: &Caller, id: &str, note: &str) -> Result<ClosureRecord, AppError> {
        let (request, owner, note) = self.pending_request(staff, id, note).await?;
        let mail = compose(
            &owner.email,
            &owner.locale,
            &owner.name,
            &Template::ClosureApproved { help_url: self.link(HELP_PATH) },
        );
        let erasure = Erasure {
            email: pseudonymous_email(&owner.id),
            email_hash: token_hash(&owner.email),
            password_hash: ERASED_PASSWORD_HASH.to_owned(),
        };
        let approval = ClosureApproval {
            request_id: &request.id,
            staff_id: staff.id(),
            note: &note,
            now_us: now_us(),
            expected_email: &owner.email,
            erasure: &erasure,
            mail: &mail,
        };
        let outcome = self.store.approve_closure(&approval).await?;
        let result = match outcome {
            ApprovalOutcome::Closed(record) => {
                self.mail_queued();
                Ok(record)
            }
            ApprovalOutcome::NotPending => Err(AppError::new(Code::ClosureNotPending)),
            ApprovalOutcome::Blocked(open) => Err(blocked(blockers(&open))),
        };
        let refusal = result.as_ref().err().map(|e| e.code.as_str());
        self.audit(Event {
            subject: Some(&owner.id),
            success: result.is_ok(),
            reason: Some(refusal.unwrap_or(&note)),
            ..Event::by(staff, "account_closed")
        })
        .await?;
        result
    }

    /// Rejects a pending closure request with a reason that is mailed to the owner; the
    /// account is left as it was.
    pub async fn reject_closure(&self, staff: &Caller, id: &str, note: &str) -> Result<ClosureRecord, AppError> {
        let (request, owner, note) = self.pending_request(staff, id, note).await?;
        let template = Template::ClosureRejected { reason: note.clone(), help_url: self.link(HELP_PATH) };
        let mail = compose(&owner.email, &owner.locale, &owner.name, &template);
        let record = self
            .store
            .reject_closure(&request.id, staff.id(), &note, now_us(), &mail)
            .await?
            .ok_or_else(|| AppError::new(Code::ClosureNotPending))?;
        self.mail_queued();
        self.audit(Event { subject: Some(&owner.id), reason: Some(&note), ..Event::by(staff, "closure_rejected") })
            .await?;
        Ok(record)
    }

    /// The checks both decisions share: staff only, a non-empty reason, a request that exists
    /// and waits for review, on an account other than the staff member's own.
    async fn pending_request(
        &self,
        staff: &Caller,
        id: &str,
        note: &str,
    ) -> Result<(ClosureRecord, UserRecord, String), AppError> {
        staff.require_staff()?;
        let note = parse_reason(note).map_err(|e| AppError::invalid(e, "reason"))?;
        if note.is_empty() {
            return Err(AppError::new(Code::ParameterMissing).param("reason"));
        }
        let missing = || AppError::new(Code::ResourceMissing).param("id");
        if !IdKind::ClosureRequest.matches(id) {
            return Err(missing());
        }
        let request = self.store.closure_request(id).await?.ok_or_else(missing)?;
        if request.user_id == staff.id() {
            // Four eyes: nobody decides on their own account.
            return Err(AppError::new(Code::PermissionDenied));
        }
        if request.status != ClosureStatus::PendingReview.as_str() {
            return Err(AppError::new(Code::ClosureNotPending));
        }
        let owner = self
            .store
            .user_by_id(&request.user_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("closure request {id} of a missing user")))?;
        Ok((request, owner, note))
    }
}
