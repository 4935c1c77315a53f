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
use okpay_domain::limits::VERIFIED_FACTOR;
use okpay_domain::time::now_us;
use okpay_ledger::StorageError;
use okpay_mail::Template;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::error::{AppError, Code};
use crate::outbox::compose;
use crate::ports::{DocumentFiles, DocumentReview, IdentityDocumentRecord};
use crate::sessions::Client;
use crate::{App, Caller};

/// Largest file accepted by default: 10 MiB.
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Most documents returned per page.
pub const MAX_PAGE: u32 = 100;

/// Longest review reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

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
    /// mails the owner in their language and audits who, what, when and why.
    pub async fn review_identity_document(
        &self,
        staff: &Caller,
        id: &str,
        decision: Decision,
        reason: &str,
        client: &Client,
    ) -> Result<IdentityDocumentRecord, AppError> {
        staff.require_staff()?;
        let reason = check_reason(reason)?;
        let doc = self.pending_document(id).await?;
        if doc.user_id == staff.id() {
            // Four eyes: nobody raises their own limits.
            return Err(AppError::new(Code::PermissionDenied).detail("staff reviewing their own document"));
        }
        let owner = self
            .store
            .user_by_id(&doc.user_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("document {id} without its owner")))?;
        let (status, action, template, raise) = match decision {
            Decision::Approve => (
                DocumentStatus::Approved,
                "identity_document_approved",
                Template::IdentityDocumentApproved { kind: doc.kind.clone(), limit_factor: VERIFIED_FACTOR },
                Some(VERIFIED_LEVEL),
            ),
            Decision::Reject => (
                DocumentStatus::Rejected,
                "identity_document_rejected",
                Template::IdentityDocumentRejected { kind: doc.kind.clone(), reason: reason.to_owned() },
                None,
            ),
        };
        let mail = compose(&owner.email, &owner.locale, &owner.name, &template);
        let event =
            Event { subject: Some(&owner.id), client: Some(client), reason: Some(reason), ..Event::by(staff, action) };
        let audit = audit::record(&event);
        let review = DocumentReview {
            document_id: id,
            status: status.as_str(),
            reviewer_id: staff.id(),
            reason,
            at_us: audit.at_us,
            raise_kyc_level_to: raise,
            mail: &mail,
            audit: &audit,
        };
        let reviewed = self
            .store
            .review_identity_document(&review)
            .await?
            .ok_or_else(|| AppError::new(Code::DocumentAlreadyReviewed).detail("reviewed concurrently"))?;
        self.mail_queued();
        Ok(reviewed)
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

    async fn pending_document(&self, id: &str) -> Result<IdentityDocumentRecord, AppError> {
        let doc = self.store.identity_document(id).await?.ok_or_else(|| AppError::new(Code::ResourceMissing))?;
        if doc.status != DocumentStatus::PendingReview.as_str() {
            return Err(AppError::new(Code::DocumentAlreadyReviewed));
        }
        Ok(doc)
    }
}

/// A review reason: trimmed, not blank, at most [`MAX_REASON_CHARS`] characters.
fn check_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::new(Code::ParameterInvalid).param("reason"));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_and_bounded() {
        assert_eq!(check_reason("  blurred photo \n"), Ok("blurred photo"));
        for bad in ["", "   \n", &"x".repeat(MAX_REASON_CHARS + 1)] {
            let e = check_reason(bad).expect_err("refused");
            assert_eq!((e.code, e.param.as_deref()), (Code::ParameterInvalid, Some("reason")));
        }
        assert!(check_reason(&"文".repeat(MAX_REASON_CHARS)).is_ok());
    }
}
