//! Closing an account, the staff side: approve (the account is closed, its personal data
//! erased, its books kept) or reject (the account stays as it was). Both are mailed to the
//! owner and audited with the staff member as actor, the owner as subject and the staff
//! member's reason; a refused attempt is audited too, with the code it was refused with.

use okpay_domain::UserStatus;
use okpay_domain::closure::{ClosureStatus, ERASED_PASSWORD_HASH, pseudonymous_email};
use okpay_domain::ids::{IdKind, token_hash};
use okpay_domain::time::now_us;
use okpay_mail::Template;

use crate::audit::Event;
use crate::closure::{blocked, blockers};
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{ApprovalOutcome, ClosureApproval, ClosureRecord, Erasure, UserRecord};
use crate::sessions::Client;
use crate::staff::parse_reason;
use crate::{App, Caller};

/// Path of the help article linked from the closure mails.
const HELP_PATH: &str = "/help/articles/close-account";

/// Which decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Close the account.
    Approve,
    /// Keep it open.
    Reject,
}

impl Decision {
    /// The audit action.
    pub fn action(self) -> &'static str {
        match self {
            Decision::Approve => "account_closed",
            Decision::Reject => "closure_rejected",
        }
    }
}

impl App {
    /// `POST /v1/agent/closure-requests/{id}/approve|reject`. An approval checks the balances
    /// again inside its transaction (money may have arrived since the request), queues the
    /// confirmation to the address on file, then closes the account and erases its personal
    /// data; a rejection mails the reason and leaves the account as it was.
    pub async fn decide_closure(
        &self,
        staff: &Caller,
        id: &str,
        decision: Decision,
        reason: Option<&str>,
        client: &Client,
    ) -> Result<ClosureRecord, AppError> {
        let mut subject = None;
        let result = self.decide_unaudited(staff, id, decision, reason, &mut subject).await;
        if matches!(&result, Err(e) if e.code == Code::ApiError) {
            return result;
        }
        let why = match &result {
            Ok(_) => reason.map(str::trim).map(str::to_owned),
            Err(e) => Some(e.code.as_str().to_owned()),
        };
        self.audit(Event {
            actor: staff.id(),
            subject: subject.as_deref(),
            action: decision.action(),
            success: result.is_ok(),
            client: Some(client),
            reason: why.as_deref(),
            session_id: Some(&staff.session_id),
        })
        .await?;
        if result.is_ok() {
            tracing::info!(request = %id, staff = %staff.id(), action = decision.action(), "closure decided");
        }
        result
    }

    /// The decision itself; sets `subject` once the request's owner is known.
    async fn decide_unaudited(
        &self,
        staff: &Caller,
        id: &str,
        decision: Decision,
        reason: Option<&str>,
        subject: &mut Option<String>,
    ) -> Result<ClosureRecord, AppError> {
        staff.require_staff()?;
        let note = parse_reason(reason)?;
        let (request, owner) = self.pending_request(staff, id, subject).await?;
        match decision {
            Decision::Approve => self.approve(staff, &request, &owner, &note).await,
            Decision::Reject => {
                let template = Template::ClosureRejected { reason: note.clone(), help_url: self.link(HELP_PATH) };
                let mail = compose(&owner.email, &owner.locale, &owner.name, &template);
                let record = self
                    .store
                    .reject_closure(&request.id, staff.id(), &note, now_us(), &mail)
                    .await?
                    .ok_or_else(|| AppError::new(Code::ClosureNotPending))?;
                self.mail_queued();
                Ok(record)
            }
        }
    }

    async fn approve(
        &self,
        staff: &Caller,
        request: &ClosureRecord,
        owner: &UserRecord,
        note: &str,
    ) -> Result<ClosureRecord, AppError> {
        let template = Template::ClosureApproved { help_url: self.link(HELP_PATH) };
        let mail = compose(&owner.email, &owner.locale, &owner.name, &template);
        let erasure = Erasure {
            email: pseudonymous_email(&owner.id),
            email_hash: token_hash(&owner.email),
            password_hash: ERASED_PASSWORD_HASH.to_owned(),
        };
        let approval = ClosureApproval {
            request_id: &request.id,
            staff_id: staff.id(),
            note,
            now_us: now_us(),
            expected_email: &owner.email,
            erasure: &erasure,
            mail: &mail,
        };
        // Read before the approval deletes the rows; the files go only after its commit, so a
        // rolled-back approval never loses a file.
        let document_keys = self.document_keys_of(&owner.id).await?;
        match self.store.approve_closure(&approval).await? {
            ApprovalOutcome::Closed(record) => {
                self.mail_queued();
                self.remove_document_files(&document_keys).await;
                Ok(record)
            }
            ApprovalOutcome::NotPending => Err(AppError::new(Code::ClosureNotPending)),
            ApprovalOutcome::Frozen => Err(AppError::new(Code::AccountStatusConflict).detail("account is frozen")),
            ApprovalOutcome::Blocked(open) => Err(blocked(blockers(&open))),
        }
    }

    /// The request `id`, waiting for review, on an account other than the staff member's
    /// own (four eyes), and its owner.
    async fn pending_request(
        &self,
        staff: &Caller,
        id: &str,
        subject: &mut Option<String>,
    ) -> Result<(ClosureRecord, UserRecord), AppError> {
        let missing = || AppError::new(Code::ResourceMissing).param("id");
        if !IdKind::ClosureRequest.matches(id) {
            return Err(missing());
        }
        let request = self.store.closure_request(id).await?.ok_or_else(missing)?;
        *subject = Some(request.user_id.clone());
        if request.user_id == staff.id() {
            return Err(AppError::new(Code::PermissionDenied).detail("own closure request"));
        }
        if request.status != ClosureStatus::PendingReview.as_str() {
            return Err(AppError::new(Code::ClosureNotPending));
        }
        let owner = self
            .store
            .user_by_id(&request.user_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("closure request {id} of a missing user")))?;
        if owner.status == UserStatus::Frozen.as_str() {
            // A frozen account is under review: closing it would erase what the review needs.
            return Err(AppError::new(Code::AccountStatusConflict).detail("account is frozen"));
        }
        Ok((request, owner))
    }
}
