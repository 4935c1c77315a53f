//! Ports of identity documents (KYC): their rows and their files. Re-exported from
//! [`crate::ports`].

use async_trait::async_trait;
use okpay_ledger::StorageError;

use super::{AuditRecord, OutboxMail};

/// A stored identity document. The file itself lives in [`DocumentFiles`] under `storage_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityDocumentRecord {
    /// `idv_...`
    pub id: String,
    /// Owner (`usr_...`).
    pub user_id: String,
    /// `passport`, `id_card` or `proof_of_address`.
    pub kind: String,
    /// MIME type recognised from the content (`image/jpeg`, `image/png`, `application/pdf`).
    pub content_type: String,
    /// File size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The file's name in [`DocumentFiles`] (random; never derived from the client's name).
    pub storage_key: String,
    /// `pending_review`, `approved` or `rejected`.
    pub status: String,
    /// The reviewer's reason (mailed to the owner on rejection).
    pub review_reason: Option<String>,
    /// The staff member who reviewed it.
    pub reviewer_id: Option<String>,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// When it was reviewed, µs.
    pub reviewed_at_us: Option<i64>,
}

/// A review decision, written with its consequences in one transaction.
#[derive(Debug, Clone)]
pub struct DocumentReview<'a> {
    /// The document.
    pub document_id: &'a str,
    /// `approved` or `rejected`.
    pub status: &'a str,
    /// The staff member deciding.
    pub reviewer_id: &'a str,
    /// Why.
    pub reason: &'a str,
    /// When, µs.
    pub at_us: i64,
    /// On approval: the owner's `kyc_level` becomes at least this.
    pub raise_kyc_level_to: Option<i64>,
    /// The owner's notice.
    pub mail: &'a OutboxMail,
    /// The audit event (who, what, when, why).
    pub audit: &'a AuditRecord,
}

/// Identity documents' rows.
#[async_trait]
pub trait IdentityDocumentStore: Send + Sync {
    /// Inserts a document row.
    async fn insert_identity_document(&self, d: &IdentityDocumentRecord) -> Result<(), StorageError>;
    /// One document, whoever owns it.
    async fn identity_document(&self, id: &str) -> Result<Option<IdentityDocumentRecord>, StorageError>;
    /// The user's documents, newest first (by `created_at_us`, then id), after the document
    /// `starting_after` if given; at most `limit`.
    async fn identity_documents_of(
        &self,
        user_id: &str,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<IdentityDocumentRecord>, StorageError>;
    /// Reviews a `pending_review` document: sets its status, reason, reviewer and time, raises
    /// the owner's `kyc_level` if asked, queues the mail and appends the audit event, all in one
    /// transaction. Returns the updated document, or `None` (nothing written) if the document
    /// does not exist or is no longer pending.
    async fn review_identity_document(
        &self,
        review: &DocumentReview<'_>,
    ) -> Result<Option<IdentityDocumentRecord>, StorageError>;
}

/// Where uploaded files are kept: outside any web root, readable only through the staff API.
#[async_trait]
pub trait DocumentFiles: Send + Sync {
    /// Stores `content` durably under a new random key and returns the key. A failure leaves
    /// nothing behind.
    async fn put(&self, content: &[u8]) -> Result<String, StorageError>;
    /// The content stored under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;
    /// Removes the file under `key` (no error if it is already gone).
    async fn remove(&self, key: &str) -> Result<(), StorageError>;
}
