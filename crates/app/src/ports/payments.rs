//! Port of merchant payments and refunds. Re-exported from [`crate::ports`].
//!
//! The money of a payment or a refund is one ledger journal (reference = its id); this store
//! holds the state machine around it: the guarded claim that lets only one payer charge a card,
//! the completion (with the payer's email queued in the same transaction), and the refund
//! reservation that keeps concurrent refunds within the payment.

use async_trait::async_trait;
use okpay_domain::Currency;
use okpay_ledger::StorageError;

use super::{NewEvent, OutboxMail};

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// `pay_...`, also the ledger reference of the money.
    pub id: String,
    /// The business user paid.
    pub merchant_id: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// OKPay's fee in minor units, kept from the amount (`0 <= fee < amount`).
    pub fee_minor: i64,
    /// Shown to the payer.
    pub description: Option<String>,
    /// Where the checkout page sends the payer afterwards.
    pub return_url: Option<String>,
    /// `requires_payment`, `processing`, `succeeded` or `failed`.
    pub status: String,
    /// Who paid (or is paying), once known.
    pub payer_id: Option<String>,
    /// `wallet` or `card`, once paid or tried.
    pub method: Option<String>,
    /// The card's `pm_...` for card payments.
    pub payment_method: Option<String>,
    /// The card rail's charge reference (what a refund names).
    pub charge_ref: Option<String>,
    /// Why it failed (an error code).
    pub failure_code: Option<String>,
    /// The issuer's reason of a `card_declined` failure.
    pub decline_code: Option<String>,
    /// Refunded so far, including reservations of refunds still running, minor units.
    pub refunded_minor: i64,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// Last change, µs.
    pub updated_at_us: i64,
    /// When it succeeded, µs.
    pub paid_at_us: Option<i64>,
}

/// How a payment was paid (what [`PaymentStore::complete_payment`] records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentCompletion<'a> {
    /// The payer.
    pub payer_id: &'a str,
    /// `wallet` or `card`.
    pub method: &'a str,
    /// The card's `pm_...`, for cards.
    pub payment_method: Option<&'a str>,
    /// The rail's charge reference, for cards.
    pub charge_ref: Option<&'a str>,
    /// When, µs since the epoch.
    pub at_us: i64,
    /// The payer's receipt, queued in the same transaction.
    pub mail: Option<&'a OutboxMail>,
    /// The merchant's event (`payment.succeeded`), stored in the same transaction.
    pub event: Option<&'a NewEvent>,
}

/// A refund as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// `re_...`, also the ledger reference of the money.
    pub id: String,
    /// The refunded payment.
    pub payment_id: String,
    /// The payment's merchant.
    pub merchant_id: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// `pending` (reserved, money not yet moved), `succeeded` or `failed`.
    pub status: String,
    /// Why it failed (an error code).
    pub failure_code: Option<String>,
    /// The card rail's refund reference, for card payments.
    pub rail_reference: Option<String>,
    /// µs since the epoch.
    pub created_at_us: i64,
    /// Last change, µs.
    pub updated_at_us: i64,
}

/// What [`PaymentStore::reserve_refund`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundReservation {
    /// The refund is stored as `pending` and its amount added to the payment's `refunded_minor`.
    Reserved(RefundRecord),
    /// A refund with this id exists already (a replay): nothing was changed.
    Existing(RefundRecord),
    /// The payment's unrefunded rest is smaller than the amount: nothing was written.
    Exceeds,
    /// The payment is not `succeeded` (or is not the merchant's): nothing was written.
    NotRefundable,
}

/// How a pending refund ended (what [`PaymentStore::finish_refund`] records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOutcome<'a> {
    /// `succeeded` or `failed` (a failure gives the reservation back).
    pub status: &'a str,
    /// The error code of a failure.
    pub failure_code: Option<&'a str>,
    /// The rail's refund reference, for card payments.
    pub rail_reference: Option<&'a str>,
    /// When, µs since the epoch.
    pub at_us: i64,
    /// The payer's notice, queued in the same transaction.
    pub mail: Option<&'a OutboxMail>,
    /// The merchant's event (`refund.succeeded`), stored in the same transaction.
    pub event: Option<&'a NewEvent>,
}

/// Merchant payments and refunds.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Stores `p` unless a payment with its id exists; returns the stored one either way.
    async fn insert_payment(&self, p: &PaymentRecord) -> Result<PaymentRecord, StorageError>;
    /// The payment `id`, if any.
    async fn payment(&self, id: &str) -> Result<Option<PaymentRecord>, StorageError>;
    /// The merchant's payments, newest first, after the payment `starting_after` if given; at
    /// most `limit`. `None` if `starting_after` is not one of the merchant's payments.
    async fn payments(
        &self,
        merchant_id: &str,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Option<Vec<PaymentRecord>>, StorageError>;
    /// Claims a `requires_payment` payment for `payer_id`'s card `payment_method`: it becomes
    /// `processing`. `false` (nothing written) when it was not `requires_payment`, so only one
    /// payer can ever charge a card for it.
    async fn claim_payment(
        &self,
        id: &str,
        payer_id: &str,
        payment_method: &str,
        now_us: i64,
    ) -> Result<bool, StorageError>;
    /// Marks a `requires_payment` or `processing` payment `succeeded` with how it was paid, and
    /// queues the payer's mail, in one transaction. `false` (nothing written) otherwise.
    async fn complete_payment(&self, id: &str, c: &PaymentCompletion<'_>) -> Result<bool, StorageError>;
    /// Marks a payment that `payer_id` holds `processing` as `failed` with its codes, and
    /// stores the merchant's event (`payment.failed`), in one transaction. `false` (nothing
    /// written) otherwise.
    async fn fail_payment(
        &self,
        id: &str,
        payer_id: &str,
        failure_code: &str,
        decline_code: Option<&str>,
        now_us: i64,
        event: Option<&NewEvent>,
    ) -> Result<bool, StorageError>;
    /// In one transaction: stores the refund `r` as `pending` and adds its amount to its
    /// payment's `refunded_minor`, provided the payment is the merchant's, `succeeded`, and
    /// `refunded_minor + amount <= amount` still holds. See [`RefundReservation`].
    async fn reserve_refund(&self, r: &RefundRecord) -> Result<RefundReservation, StorageError>;
    /// Ends a `pending` refund: `succeeded`, or `failed` giving its amount back to the payment;
    /// queues the mail; one transaction. `false` (nothing written) if it was not pending.
    async fn finish_refund(&self, id: &str, outcome: &RefundOutcome<'_>) -> Result<bool, StorageError>;
    /// The refund `id`, if any.
    async fn refund(&self, id: &str) -> Result<Option<RefundRecord>, StorageError>;
    /// The refunds of a payment, oldest first.
    async fn refunds_of(&self, payment_id: &str) -> Result<Vec<RefundRecord>, StorageError>;
    /// Payments still `processing` whose last change is older than `before_us` (a card payment
    /// whose request died), oldest first, at most `limit`.
    async fn stale_payments(&self, before_us: i64, limit: u32) -> Result<Vec<PaymentRecord>, StorageError>;
    /// Refunds still `pending` whose last change is older than `before_us`, oldest first, at
    /// most `limit`.
    async fn stale_refunds(&self, before_us: i64, limit: u32) -> Result<Vec<RefundRecord>, StorageError>;
}
