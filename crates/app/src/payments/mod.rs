//! Merchant payments (API.md §4): a merchant creates a payment with its API key, a payer
//! confirms it from their wallet or one of their cards, the merchant refunds it in part or in
//! full.
//!
//! * this module: creating, reading and listing payments, the fee, the JSON object shown to
//!   merchants and sent in events.
//! * [`confirm`]: paying with the wallet (one ledger transfer whose reference is the payment id,
//!   so the books themselves refuse a second payment) or a card (a guarded claim first, so two
//!   payers can never both be charged).
//! * [`refunds`]: refunds, reserved with a guarded update before the money moves.
//! * [`notify`]: the payer's emails and the merchant's events, emitted once the money is
//!   committed and never blocking the payment.

pub mod confirm;
pub mod notify;
pub mod recovery;
pub mod refunds;

use okpay_domain::ids::IdKind;
use okpay_domain::time::{now_us, rfc3339};
use okpay_domain::{Amount, Currency};
use serde::Serialize;

use crate::caller::Credential;
use crate::error::{AppError, Code};
use crate::ports::PaymentRecord;
use crate::transfers::check_description;
use crate::{App, Caller, merchant};

/// Longest `return_url` accepted, in characters.
pub const MAX_RETURN_URL_CHARS: usize = 2_048;

/// Largest merchant fee the configuration accepts, in basis points (50 %).
pub const MAX_FEE_BPS: u32 = 5_000;

/// A payment to create.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Amount.
    pub amount: Amount,
    /// Currency.
    pub currency: Currency,
    /// Shown to the payer (at most 500 characters).
    pub description: Option<String>,
    /// Where the checkout page sends the payer afterwards (`http`/`https`).
    pub return_url: Option<String>,
}

/// A page of payments.
#[derive(Debug, Clone)]
pub struct PaymentPage {
    /// Newest first.
    pub payments: Vec<PaymentRecord>,
    /// Whether older payments follow.
    pub has_more: bool,
}

/// What the public checkout page shows of a payment.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The payment.
    pub payment: PaymentRecord,
    /// The merchant's name (its email if it has none).
    pub merchant_name: String,
    /// Whether the merchant accepts the wallet.
    pub accepts_wallet: bool,
    /// Whether the merchant accepts cards.
    pub accepts_card: bool,
}

/// OKPay's fee on `amount_minor` at `bps` basis points, rounded down, so it is always smaller
/// than the amount (`bps` is at most [`MAX_FEE_BPS`]).
pub fn fee(amount_minor: i64, bps: u32) -> i64 {
    let bps = i128::from(bps.min(MAX_FEE_BPS));
    let fee = i128::from(amount_minor) * bps / 10_000;
    i64::try_from(fee).unwrap_or(0)
}

/// Checks a `return_url`: an absolute `http` or `https` URL of reasonable length.
pub fn check_return_url(raw: &str) -> Result<String, AppError> {
    let invalid = || AppError::new(Code::ParameterInvalid).param("return_url");
    let raw = raw.trim();
    if raw.chars().count() > MAX_RETURN_URL_CHARS {
        return Err(invalid());
    }
    let url = url::Url::parse(raw).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid());
    }
    Ok(url.to_string())
}

/// A payment as merchants see it in the API and in events (`object: "payment"`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PaymentObject {
    /// `pay_...`
    pub id: String,
    /// Always `payment`.
    pub object: &'static str,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// `requires_payment`, `processing`, `succeeded` or `failed`.
    pub status: String,
    /// OKPay's fee, kept from the amount.
    pub fee: i64,
    /// What the merchant receives: amount − fee.
    pub net: i64,
    /// Refunded so far (including refunds still running).
    pub amount_refunded: i64,
    /// Shown to the payer.
    pub description: Option<String>,
    /// Where the checkout page sends the payer afterwards.
    pub return_url: Option<String>,
    /// The page where the payer pays.
    pub checkout_url: String,
    /// The merchant, `usr_...`.
    pub merchant: String,
    /// `wallet` or `card`, once paid or tried.
    pub payment_method_type: Option<String>,
    /// Why it failed.
    pub failure_code: Option<String>,
    /// The issuer's reason of a declined card.
    pub decline_code: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once succeeded.
    pub paid_at: Option<String>,
}

impl App {
    /// The page where the payer pays `id`.
    pub fn checkout_url(&self, id: &str) -> String {
        self.link(&format!("/checkout/{id}"))
    }

    /// The API/event shape of a payment.
    pub fn payment_object(&self, p: &PaymentRecord) -> PaymentObject {
        PaymentObject {
            id: p.id.clone(),
            object: "payment",
            amount: p.amount_minor,
            currency: p.currency.code().to_owned(),
            status: p.status.clone(),
            fee: p.fee_minor,
            net: p.amount_minor.saturating_sub(p.fee_minor),
            amount_refunded: p.refunded_minor,
            description: p.description.clone(),
            return_url: p.return_url.clone(),
            checkout_url: self.checkout_url(&p.id),
            merchant: p.merchant_id.clone(),
            payment_method_type: p.method.clone(),
            failure_code: p.failure_code.clone(),
            decline_code: p.decline_code.clone(),
            created_at: rfc3339(p.created_at_us),
            paid_at: p.paid_at_us.map(rfc3339),
        }
    }

    /// Creates a payment for the business caller. With an idempotency key the id is derived
    /// from it, so a retry after a crash finds the payment instead of creating another.
    pub async fn create_payment(
        &self,
        caller: &Caller,
        idempotency_key: Option<&str>,
        req: NewPayment,
    ) -> Result<PaymentRecord, AppError> {
        caller.require_business()?;
        caller.ensure_can_move_money()?;
        let description = req.description.as_deref().map(check_description).transpose()?;
        let return_url = req.return_url.as_deref().map(check_return_url).transpose()?;
        let id = match idempotency_key {
            Some(key) => IdKind::Payment.derived(&[caller.id(), key]),
            None => IdKind::Payment.random(),
        };
        let now = now_us();
        let record = PaymentRecord {
            id,
            merchant_id: caller.id().to_owned(),
            amount_minor: req.amount.minor(),
            currency: req.currency,
            fee_minor: fee(req.amount.minor(), self.config.merchant_fee_bps),
            description,
            return_url,
            status: "requires_payment".into(),
            payer_id: None,
            method: None,
            payment_method: None,
            charge_ref: None,
            failure_code: None,
            decline_code: None,
            refunded_minor: 0,
            created_at_us: now,
            updated_at_us: now,
            paid_at_us: None,
        };
        Ok(self.store.insert_payment(&record).await?)
    }

    /// A payment as the caller may see it: its merchant (session or key) sees its own; a
    /// signed-in user (a payer) sees any payment whose id they have, as its checkout page shows
    /// it; another merchant's API key gets `resource_missing`.
    pub async fn payment_for(&self, caller: &Caller, id: &str) -> Result<PaymentRecord, AppError> {
        let p = self.payment_reconciled(id).await?;
        match p {
            Some(p) if p.merchant_id == caller.id() || caller.credential == Credential::Session => Ok(p),
            _ => Err(AppError::new(Code::ResourceMissing).param("id")),
        }
    }

    /// What the checkout page of payment `id` shows (no authentication: the id is the link).
    pub async fn checkout(&self, id: &str) -> Result<Option<Checkout>, AppError> {
        let Some(payment) = self.payment_reconciled(id).await? else { return Ok(None) };
        let merchant = self.store.user_by_id(&payment.merchant_id).await?;
        let settings = self
            .store
            .merchant_settings(&payment.merchant_id)
            .await?
            .unwrap_or_else(|| merchant::defaults(&payment.merchant_id));
        let accepts = |m: &str| settings.accepted_payment_methods.iter().any(|a| a == m);
        Ok(Some(Checkout {
            merchant_name: merchant.as_ref().map(notify::label).unwrap_or_default(),
            accepts_wallet: accepts("wallet"),
            accepts_card: accepts("card"),
            payment,
        }))
    }

    /// The merchant's payments, newest first.
    pub async fn list_payments(
        &self,
        caller: &Caller,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<PaymentPage, AppError> {
        caller.require_business()?;
        let mut payments = self
            .store
            .payments(caller.id(), starting_after, limit.saturating_add(1))
            .await?
            .ok_or_else(|| AppError::new(Code::ResourceMissing).param("starting_after"))?;
        let has_more = payments.len() > limit as usize;
        payments.truncate(limit as usize);
        Ok(PaymentPage { payments, has_more })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_round_down_and_stay_below_the_amount() {
        assert_eq!(fee(10_000, 0), 0);
        assert_eq!(fee(10_000, 290), 290);
        assert_eq!(fee(1_999, 250), 49);
        assert_eq!(fee(1, MAX_FEE_BPS), 0);
        assert_eq!(fee(3, 10_000), 1, "capped at the maximum rate");
        assert_eq!(fee(Amount::MAX_MINOR, MAX_FEE_BPS), Amount::MAX_MINOR / 2);
    }

    #[test]
    fn return_urls_must_be_http() {
        assert_eq!(
            check_return_url("https://shop.example/done?o=1").ok().as_deref(),
            Some("https://shop.example/done?o=1")
        );
        assert!(check_return_url("http://localhost:3000/back").is_ok());
        for bad in ["ftp://shop.example/", "javascript:alert(1)", "/relative", "not a url", "https://"] {
            assert_eq!(check_return_url(bad).err().map(|e| e.code), Some(Code::ParameterInvalid), "{bad}");
        }
        assert!(check_return_url(&format!("https://a.example/{}", "x".repeat(MAX_RETURN_URL_CHARS))).is_err());
    }
}
