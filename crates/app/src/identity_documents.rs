//! Identity documents (KYC, API.md §2): upload, list, staff review, staff download.
//!
//! An upload is checked by size and by content (magic bytes: JPEG, PNG, PDF), stored as a
//! file under a random name, and only then recorded; if the row cannot be written the file is
//! removed, so a failure leaves nothing half-written. A review changes the document, raises the
//! owner's `kyc_level` (on approval), queues the owner's mail and appends the audit event in one
//! transaction.

use async_trait::async_trait;
use okpay_domain::UserStatus;
use okpay_domain::document::{DocumentKind, DocumentStatus, check_upload};
use okpay_domain::ids::IdKind;
use okpay_domain::time::now_us;
use okpay_ledger::StorageError;
use okpay_mail::Template;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{DocumentFiles, DocumentReview, IdentityDocumentRecord};
use crate::sessions::Client;
use crate::staff::parse_reason;
use crate::{App, Caller};

/// Largest file accepted by default: 10 MiB.
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Most documents returned per page.
pub const MAX_PAGE: u32 = 100;

/// The `kyc_level` an approved identity document gives.
pub const VERIFIED_LEVEL: i64 = 1;

/// An agent's decision on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Accept it: the owner's `kyc_level` becomes at least [`VERIFIED_LEVEL`].
    Approve,
    /// Refuse it; the owner is told why.
    Reject,
}

/// File storage of an [`App`] that was given none: every call fails.
pub(crate) struct NoFiles;

#[async_trait]
impl DocumentFiles for NoFiles {
    async fn put(&self, _: &[u8]) -> Result<String, StorageError> {
        Err(unconfigured())
    }
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Err(unconfigured())
    }
    async fn remove(&self, _: &str) -> Result<(), StorageError> {
        Err(unconfigured())
    }
}

fn unconfigured() -> StorageError {
    StorageError { message: "no document storage configured".into(), retryable: false }
}

impl App {
    /// Stores an uploaded identity document of `kind` for review. Frozen accounts may upload
    /// (documents are how a freeze is lifted); closed accounts may not.
    pub async fn upload_identity_document(
        &self,
        caller: &Caller,
        kind: &str,
        content: &[u8],
    ) -> Result<IdentityDocumentRecord, AppError> {
        if caller.user.status == UserStatus::Closed.as_str() {
            return Err(AppError::new(Code::AccountClosed));
        }
        let kind = DocumentKind::parse(kind).map_err(|e| AppError::invalid(e, "kind"))?;
        let file_type =
            check_upload(content, self.config.max_document_bytes).map_err(|e| AppError::invalid(e, "file"))?;
        let size_bytes = i64::try_from(content.len()).map_err(|_| AppError::new(Code::FileTooLarge).param("file"))?;
        let storage_key = self.documents.put(content).await?;
        let record = IdentityDocumentRecord {
            id: IdKind::IdentityDocument.random(),
            user_id: caller.id().to_owned(),
            kind: kind.as_str().to_owned(),
            content_type: file_type.mime().to_owned(),
            size_bytes,
            sha256: hex::encode(Sha256::digest(content)),
            storage_key,
            status: DocumentStatus::PendingReview.as_str().to_owned(),
            review_reason: None,
            reviewer_id: None,
            created_at_us: now_us(),
            reviewed_at_us: None,
        };
        if let Err(e) = self.store.insert_identity_document(&record).await {
            // Nothing half-written: without its row, the file must not stay behind.
            if let Err(removal) = self.documents.remove(&record.storage_key).await {
                tracing::error!(error = %removal, key = %record.storage_key, "could not remove an unrecorded upload");
            }
            return Err(e.into());
        }
        Ok(record)
    }

    /// The caller's documents, newest first; `has_more` tells whether more follow.
    pub async fn identity_documents(
        &self,
        caller: &Caller,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<IdentityDocumentRecord>, bool), AppError> {
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(AppError::new(Code::ParameterInvalid).param("limit"));
        }
        let mut docs = self.store.identity_documents_of(caller.id(), starting_after, limit + 1).await?;
        let has_more = docs.len() > limit as usize;
        docs.truncate(limit as usize);
        Ok((docs, has_more))
    }

    /// Approves or rejects a pending document (staff only, never one's own) with `reason`:
    /// mails the owner in their language and audits who, what, when and why. Refused attempts
    /// are audited too, as failures.
    pub async fn review_identity_document(
        &self,
        staff: &Caller,
        id: &str,
        decision: Decision,
        reason: &str,
        client: &Client,
    ) -> Result<IdentityDocumentRecord, AppError> {
        let action = match decision {
            Decision::Approve => "identity_document_approved",
            Decision::Reject => "identity_document_rejected",
        };
        let doc = self.store.identity_document(id).await?;
        let refused = Event {
            subject: doc.as_ref().map(|d| d.user_id.as_str()),
            client: Some(client),
            success: false,
            ..Event::by(staff, action)
        };
        let checked = check_review(staff, doc.as_ref());
        let doc = match (checked, doc.as_ref()) {
            (Ok(()), Some(doc)) => doc,
            (Err(e), _) => {
                if e.code != Code::ResourceMissing {
                    self.audit(Event { reason: Some(e.code.as_str()), ..refused }).await?;
                }
                return Err(e);
            }
            (Ok(()), None) => return Err(AppError::new(Code::ResourceMissing)),
        };
        let reason = parse_reason(Some(reason))?;
        let owner = self
            .store
            .user_by_id(&doc.user_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("document {id} without its owner")))?;
        let (status, template, raise) = match decision {
            Decision::Approve => (
                DocumentStatus::Approved,
                Template::IdentityDocumentApproved {
                    kind: doc.kind.clone(),
                    limit_factor: self.config.limits.verified_factor(),
                },
                Some(VERIFIED_LEVEL),
            ),
            Decision::Reject => (
                DocumentStatus::Rejected,
                Template::IdentityDocumentRejected { kind: doc.kind.clone(), reason: reason.clone() },
                None,
            ),
        };
        let mail = compose(&owner.email, &owner.locale, &owner.name, &template);
        let event = Event { success: true, reason: Some(&reason), ..refused };
        let audit = audit::record(&event);
        let review = DocumentReview {
            document_id: id,
            status: status.as_str(),
            reviewer_id: staff.id(),
            reason: &reason,
            at_us: audit.at_us,
            raise_kyc_level_to: raise,
            mail: &mail,
            audit: &audit,
        };
        let Some(reviewed) = self.store.review_identity_document(&review).await? else {
            // Another agent decided first, between our read and our write.
            let code = Code::DocumentAlreadyReviewed;
            self.audit(Event { success: false, reason: Some(code.as_str()), ..event }).await?;
            return Err(AppError::new(code).detail("reviewed concurrently"));
        };
        self.mail_queued();
        tracing::info!(document = %id, staff = %staff.id(), action, "identity document reviewed");
        Ok(reviewed)
    }

    /// The storage keys of every document of `user_id` (for erasure at closure).
    pub(crate) async fn document_keys_of(&self, user_id: &str) -> Result<Vec<String>, AppError> {
        let mut keys = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.store.identity_documents_of(user_id, after.as_deref(), MAX_PAGE).await?;
            keys.extend(page.iter().map(|d| d.storage_key.clone()));
            match page.last() {
                Some(last) if page.len() == MAX_PAGE as usize => after = Some(last.id.clone()),
                _ => return Ok(keys),
            }
        }
    }

    /// Removes the files under `keys` whose rows are gone; a failure is logged (the file is
    /// then an orphan no row points to, never served).
    pub(crate) async fn remove_document_files(&self, keys: &[String]) {
        for key in keys {
            if let Err(e) = self.documents.remove(key).await {
                tracing::error!(error = %e, %key, "could not remove an erased identity document");
            }
        }
    }

    /// A document and its file, for staff; the viewing is audited before anything is returned.
    pub async fn identity_document_file(
        &self,
        staff: &Caller,
        id: &str,
        client: &Client,
    ) -> Result<(IdentityDocumentRecord, Vec<u8>), AppError> {
        staff.require_staff()?;
        let doc = self.store.identity_document(id).await?.ok_or_else(|| AppError::new(Code::ResourceMissing))?;
        let content = self
            .documents
            .get(&doc.storage_key)
            .await?
            .ok_or_else(|| AppError::internal(format!("file of {id} is missing")))?;
        self.audit(Event {
            subject: Some(&doc.user_id),
            client: Some(client),
            reason: Some(&doc.id),
            ..Event::by(staff, "identity_document_viewed")
        })
        .await?;
        Ok((doc, content))
    }
}

/// Whether `staff` may review `doc`: staff only, the document must exist and be pending, and
/// nobody reviews their own (four eyes: nobody raises their own limits).
fn check_review(staff: &Caller, doc: Option<&IdentityDocumentRecord>) -> Result<(), AppError> {
    staff.require_staff()?;
    let doc = doc.ok_or_else(|| AppError::new(Code::ResourceMissing))?;
    if doc.status != DocumentStatus::PendingReview.as_str() {
        return Err(AppError::new(Code::DocumentAlreadyReviewed));
    }
    if doc.user_id == staff.id() {
        return Err(AppError::new(Code::PermissionDenied).detail("staff reviewing their own document"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::UserRecord;

    fn caller(id: &str, roles: &str) -> Caller {
        let user = UserRecord {
            id: id.into(),
            email: format!("{id}@example.com"),
            name: "N".into(),
            account_type: "personal".into(),
            status: "active".into(),
            email_verified: true,
            locale: "en".into(),
            password_hash: String::new(),
            roles: roles.into(),
            kyc_level: 0,
            created_at_us: 0,
        };
        Caller { user, session_id: "ses_1".into(), credential: crate::caller::Credential::Session }
    }

    fn doc(owner: &str, status: &str) -> IdentityDocumentRecord {
        IdentityDocumentRecord {
            id: "idv_1".into(),
            user_id: owner.into(),
            kind: "passport".into(),
            content_type: "image/png".into(),
            size_bytes: 100,
            sha256: String::new(),
            storage_key: "k".into(),
            status: status.into(),
            review_reason: None,
            reviewer_id: None,
            created_at_us: 0,
            reviewed_at_us: None,
        }
    }

    #[test]
    fn only_other_staff_review_pending_documents() {
        let agent = caller("usr_agent", "user agent");
        let code = |c: &Caller, d: Option<&IdentityDocumentRecord>| check_review(c, d).err().map(|e| e.code);
        assert_eq!(code(&agent, Some(&doc("usr_a", "pending_review"))), None);
        assert_eq!(code(&caller("usr_admin", "admin"), Some(&doc("usr_a", "pending_review"))), None);
        assert_eq!(code(&caller("usr_b", "user"), Some(&doc("usr_a", "pending_review"))), Some(Code::PermissionDenied));
        assert_eq!(code(&caller("usr_b", "user"), None), Some(Code::PermissionDenied), "no probing for ids");
        assert_eq!(code(&agent, None), Some(Code::ResourceMissing));
        assert_eq!(code(&agent, Some(&doc("usr_a", "approved"))), Some(Code::DocumentAlreadyReviewed));
        assert_eq!(code(&agent, Some(&doc("usr_agent", "pending_review"))), Some(Code::PermissionDenied));
    }
}
