//! [`IdentityDocumentStore`] on PostgreSQL: a review is one transaction (READ COMMITTED)
//! whose first statement is the conditional `UPDATE`: it locks the row, so of two concurrent
//! reviews one finds the document no longer pending.

use async_trait::async_trait;
use okpay_app::ports::{DocumentReview, IdentityDocumentRecord, IdentityDocumentStore};
use okpay_ledger::StorageError;

use super::PgStore;
use super::accounts::insert_mail;
use crate::audit_sql::postgres::insert_audit;
use crate::document_sql::{self as q, DocumentTuple};
use crate::error::app_error;

#[async_trait]
impl IdentityDocumentStore for PgStore {
    async fn insert_identity_document(&self, d: &IdentityDocumentRecord) -> Result<(), StorageError> {
        sqlx::query(q::INSERT)
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
        Ok(())
    }

    async fn identity_document(&self, id: &str) -> Result<Option<IdentityDocumentRecord>, StorageError> {
        let row: Option<DocumentTuple> =
            sqlx::query_as(q::BY_ID).bind(id).fetch_optional(&self.pool).await.map_err(app_error)?;
        Ok(row.map(q::document))
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
                let c: Option<(i64, String)> = sqlx::query_as(q::CURSOR)
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
        let rows: Vec<DocumentTuple> = sqlx::query_as(q::OF_USER)
            .bind(user_id)
            .bind(at)
            .bind(&id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(rows.into_iter().map(q::document).collect())
    }

    async fn review_identity_document(
        &self,
        r: &DocumentReview<'_>,
    ) -> Result<Option<IdentityDocumentRecord>, StorageError> {
        let mut tx = self.pool.begin().await.map_err(app_error)?;
        let row: Option<DocumentTuple> = sqlx::query_as(q::REVIEW)
            .bind(r.document_id)
            .bind(r.status)
            .bind(r.reason)
            .bind(r.reviewer_id)
            .bind(r.at_us)
            .fetch_optional(&mut *tx)
            .await
            .map_err(app_error)?;
        let Some(doc) = row.map(q::document) else { return Ok(None) };
        if let Some(level) = r.raise_kyc_level_to {
            sqlx::query(q::RAISE_KYC_LEVEL)
                .bind(&doc.user_id)
                .bind(level)
                .execute(&mut *tx)
                .await
                .map_err(app_error)?;
        }
        insert_mail(&mut tx, r.mail).await?;
        insert_audit(&mut *tx, r.audit).await?;
        tx.commit().await.map_err(app_error)?;
        Ok(Some(doc))
    }
}
