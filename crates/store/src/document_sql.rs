//! SQL of identity documents, the same text on both backends, and the decoding of their rows.

use okpay_app::ports::IdentityDocumentRecord;

/// Columns of `identity_documents`, in [`document`]'s order.
macro_rules! document_columns {
    () => {
        "id, user_id, kind, content_type, size_bytes, sha256, storage_key, status, review_reason, reviewer_id, \
         created_at_us, reviewed_at_us"
    };
}

/// Inserts a document.
pub(crate) const INSERT: &str = concat!(
    "INSERT INTO identity_documents (",
    document_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
);
/// One document by id.
pub(crate) const BY_ID: &str = concat!("SELECT ", document_columns!(), " FROM identity_documents WHERE id = $1");
/// The position of one of a user's documents, for a `starting_after` cursor.
pub(crate) const CURSOR: &str = "SELECT created_at_us, id FROM identity_documents WHERE user_id = $1 AND id = $2";
/// A user's documents strictly after the cursor `($2, $3)`, newest first.
pub(crate) const OF_USER: &str = concat!(
    "SELECT ",
    document_columns!(),
    " FROM identity_documents WHERE user_id = $1 AND (created_at_us, id) < ($2, $3) ",
    "ORDER BY created_at_us DESC, id DESC LIMIT $4"
);
/// Decides a pending document; returns it as updated.
pub(crate) const REVIEW: &str = concat!(
    "UPDATE identity_documents SET status = $2, review_reason = $3, reviewer_id = $4, reviewed_at_us = $5 ",
    "WHERE id = $1 AND status = 'pending_review' RETURNING ",
    document_columns!()
);
/// Raises a user's `kyc_level` to at least `$2` (never lowers it).
pub(crate) const RAISE_KYC_LEVEL: &str =
    "UPDATE users SET kyc_level = CASE WHEN kyc_level < $2 THEN $2 ELSE kyc_level END WHERE id = $1";

/// An `identity_documents` row.
pub(crate) type DocumentTuple =
    (String, String, String, String, i64, String, String, String, Option<String>, Option<String>, i64, Option<i64>);

/// Decodes an `identity_documents` row.
pub(crate) fn document(t: DocumentTuple) -> IdentityDocumentRecord {
    let (
        id,
        user_id,
        kind,
        content_type,
        size_bytes,
        sha256,
        storage_key,
        status,
        review_reason,
        reviewer_id,
        created_at_us,
        reviewed_at_us,
    ) = t;
    IdentityDocumentRecord {
        id,
        user_id,
        kind,
        content_type,
        size_bytes,
        sha256,
        storage_key,
        status,
        review_reason,
        reviewer_id,
        created_at_us,
        reviewed_at_us,
    }
}
