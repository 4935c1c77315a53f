//! Identity documents: the SQL is the same text on both backends, so the decoding of their rows
//! and one [`IdentityDocumentStore`] implementation per store type live here.
//!
//! A review is one transaction whose first statement is the conditional `UPDATE`. On SQLite
//! that statement writes, so the transaction holds the write lock from its start (like `BEGIN
//! IMMEDIATE`) and two reviews of one document cannot both succeed. On PostgreSQL (READ
//! COMMITTED) it locks the row, so of two concurrent reviews one finds the document no longer
//! pending.

use async_trait::async_trait;
use okpay_app::ports::{DocumentReview, IdentityDocumentRecord, IdentityDocumentStore};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

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

/// The [`IdentityDocumentStore`] implementation for `$store`; the backend module `$backend`
/// provides the mail and audit inserts of a review (inside its transaction).
macro_rules! impl_identity_document_store {
    ($store:ty, $backend:ident) => {
        #[async_trait]
        impl IdentityDocumentStore for $store {
            async fn insert_identity_document(&self, d: &IdentityDocumentRecord) -> Result<(), StorageError> {
                let turn = self.write_turn().await;
                sqlx::query(INSERT)
                    .bind(&d.id)
                    .bind(&d.user_id)
                    .bind(&d.kind)
                    .bind(&d.content_type)
                    .bind(d.size_bytes)
                    .bind(&d.sha256)
                    .bind(&d.storage_key)
                    .bind(&d.status)
                    .bind(&d.review_reason)
                    .bind(&d.reviewer_id)
                    .bind(d.created_at_us)
                    .bind(d.reviewed_at_us)
                    .execute(&self.pool)
                    .await
                    .map_err(app_error)?;
                drop(turn);
                Ok(())
            }

            async fn identity_document(&self, id: &str) -> Result<Option<IdentityDocumentRecord>, StorageError> {
                let row: Option<DocumentTuple> =
                    sqlx::query_as(BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
                Ok(row.map(document))
            }

            async fn identity_documents_of(
                &self,
                user_id: &str,
                starting_after: Option<&str>,
                limit: u32,
            ) -> Result<Vec<IdentityDocumentRecord>, StorageError> {
                let (at, id) = match starting_after {
                    None => (i64::MAX, String::new()),
                    Some(cursor) => {
                        let c: Option<(i64, String)> = sqlx::query_as(CURSOR)
                            .bind(user_id)
                            .bind(cursor)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(app_error)?;
                        // A cursor that is not one of the user's documents has nothing after it.
                        let Some(c) = c else { return Ok(Vec::new()) };
                        c
                    }
                };
                // Without a cursor: `(created_at_us, id) < (i64::MAX, "")` holds for every real row.
                let rows: Vec<DocumentTuple> = sqlx::query_as(OF_USER)
                    .bind(user_id)
                    .bind(at)
                    .bind(&id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)?;
                Ok(rows.into_iter().map(document).collect())
            }

            async fn review_identity_document(
                &self,
                r: &DocumentReview<'_>,
            ) -> Result<Option<IdentityDocumentRecord>, StorageError> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                let row: Option<DocumentTuple> = sqlx::query_as(REVIEW)
                    .bind(r.document_id)
                    .bind(r.status)
                    .bind(r.reason)
                    .bind(r.reviewer_id)
                    .bind(r.at_us)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(app_error)?;
                let Some(doc) = row.map(document) else { return Ok(None) };
                if let Some(level) = r.raise_kyc_level_to {
                    sqlx::query(RAISE_KYC_LEVEL)
                        .bind(&doc.user_id)
                        .bind(level)
                        .execute(&mut *tx)
                        .await
                        .map_err(app_error)?;
                }
                crate::account_sql::$backend::insert_mail(&mut tx, r.mail).await?;
                crate::audit_sql::$backend::insert_audit(&mut *tx, r.audit).await?;
                tx.commit().await.map_err(app_error)?;
                Ok(Some(doc))
            }
        }
    };
}

impl_identity_document_store!(SqliteStore, sqlite);
impl_identity_document_store!(PgStore, postgres);
