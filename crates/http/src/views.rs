//! JSON shapes of resources shared by several routes.

use okpay_app::ports::{IdentityDocumentRecord, PaymentMethodRecord, UserRecord};
use okpay_domain::Currency;
use okpay_domain::limits::LimitPolicy;
use okpay_domain::time::rfc3339;
use okpay_ledger::StatementLine;
use serde::Serialize;
use utoipa::ToSchema;

/// A list response (API.md §1).
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    /// Always `list`.
    pub object: &'static str,
    /// Items, newest first.
    pub data: Vec<T>,
    /// Whether more items follow.
    pub has_more: bool,
}

impl<T> List<T> {
    /// Wraps items.
    pub fn new(data: Vec<T>, has_more: bool) -> Self {
        List { object: "list", data, has_more }
    }
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// `usr_...`
    pub id: String,
    /// Always `user`.
    pub object: &'static str,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `personal` or `business`.
    pub account_type: String,
    /// Account status.
    pub status: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Identity verification level.
    pub kyc_level: i64,
    /// `en` or `zh`.
    pub locale: String,
    /// Roles.
    pub roles: Vec<String>,
    /// What the user may move per day, per currency (raised by approved identity documents).
    pub limits: Vec<LimitView>,
    /// RFC 3339.
    pub created_at: String,
}

/// Limits in one currency, in minor units (API.md §7).
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitView {
    /// Currency.
    pub currency: &'static str,
    /// Always `day`: `deposit`, `transfer` and `withdrawal` are per calendar day (UTC).
    pub period: &'static str,
    /// Deposits per day.
    pub deposit: i64,
    /// Outgoing transfers and wallet payments per day.
    pub transfer: i64,
    /// Withdrawals per day.
    pub withdrawal: i64,
    /// The same per calendar month (UTC).
    pub monthly: MonthlyLimitView,
}

/// Limits per calendar month in one currency, minor units.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyLimitView {
    /// Deposits per month.
    pub deposit: i64,
    /// Outgoing transfers and wallet payments per month.
    pub transfer: i64,
    /// Withdrawals per month.
    pub withdrawal: i64,
}

/// The limits of a user at `kyc_level`, one entry per supported currency.
pub fn limit_views(policy: &LimitPolicy, kyc_level: i64) -> Vec<LimitView> {
    Currency::ALL
        .into_iter()
        .map(|c| {
            let l = policy.limits(kyc_level, c);
            LimitView {
                currency: c.code(),
                period: "day",
                deposit: l.daily_minor,
                transfer: l.daily_minor,
                withdrawal: l.daily_minor,
                monthly: MonthlyLimitView {
                    deposit: l.monthly_minor,
                    transfer: l.monthly_minor,
                    withdrawal: l.monthly_minor,
                },
            }
        })
        .collect()
}

impl UserView {
    /// The view of `u` with the limits `policy` gives them.
    pub fn new(u: &UserRecord, policy: &LimitPolicy) -> Self {
        UserView {
            id: u.id.clone(),
            object: "user",
            email: u.email.clone(),
            name: u.name.clone(),
            account_type: u.account_type.clone(),
            status: u.status.clone(),
            email_verified: u.email_verified,
            kyc_level: u.kyc_level,
            locale: u.locale.clone(),
            roles: u.roles.split_whitespace().map(str::to_owned).collect(),
            limits: limit_views(policy, u.kyc_level),
            created_at: rfc3339(u.created_at_us),
        }
    }
}

/// A saved card (never its number).
#[derive(Debug, Serialize, ToSchema)]
pub struct CardView {
    /// `visa`, `mastercard`, ...
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: i64,
    /// Expiry year.
    pub exp_year: i64,
}

/// A saved bank account (never its full number).
#[derive(Debug, Serialize, ToSchema)]
pub struct BankAccountView {
    /// ISO country.
    pub country: String,
    /// Last four digits.
    pub last4: String,
    /// Bank name, if given.
    pub bank_name: Option<String>,
}

/// A payment method.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodView {
    /// `pm_...`
    pub id: String,
    /// Always `payment_method`.
    pub object: &'static str,
    /// `card` or `bank_account`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Card details, for cards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CardView>,
    /// Bank details, for bank accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccountView>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&PaymentMethodRecord> for PaymentMethodView {
    fn from(p: &PaymentMethodRecord) -> Self {
        let card = (p.kind == "card").then(|| CardView {
            brand: p.brand.clone().unwrap_or_default(),
            last4: p.last4.clone(),
            exp_month: p.exp_month.unwrap_or_default(),
            exp_year: p.exp_year.unwrap_or_default(),
        });
        let bank_account = (p.kind == "bank_account").then(|| BankAccountView {
            country: p.country.clone().unwrap_or_default(),
            last4: p.last4.clone(),
            bank_name: p.bank_name.clone(),
        });
        PaymentMethodView {
            id: p.id.clone(),
            object: "payment_method",
            kind: p.kind.clone(),
            card,
            bank_account,
            created_at: rfc3339(p.created_at_us),
        }
    }
}

/// A status change in a transaction's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChange {
    /// Status entered.
    pub status: String,
    /// RFC 3339.
    pub at: String,
}

/// A history row (API.md §3).
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView {
    /// `txn_...`
    pub id: String,
    /// Always `transaction`.
    pub object: &'static str,
    /// `deposit`, `transfer_in`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Minor units.
    pub amount: i64,
    /// Minor units.
    pub fee: i64,
    /// Currency.
    pub currency: String,
    /// Status.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
    /// Payer's note.
    pub description: Option<String>,
    /// The other party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// The resource (`dep_`, `tr_`, ...).
    pub source: String,
    /// Risk flags such as `unusual_activity`.
    pub flags: Vec<String>,
    /// Why it failed, for failed rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    /// The issuer's reason, for declined cards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// The timeline (only on `GET /v1/transactions/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_history: Option<Vec<StatusChange>>,
}

impl From<&StatementLine> for TransactionView {
    fn from(l: &StatementLine) -> Self {
        let details: serde_json::Value =
            l.details.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
        let text = |k: &str| details.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        TransactionView {
            id: l.id.clone(),
            object: "transaction",
            kind: l.kind.clone(),
            amount: l.amount_minor,
            fee: l.fee_minor,
            currency: l.currency.code().to_owned(),
            status: l.status.clone(),
            created_at: rfc3339(l.created_at_us),
            description: l.description.clone(),
            counterparty: l.counterparty.clone(),
            source: l.source_id.clone(),
            flags: vec![],
            failure_code: text("failure_code"),
            decline_code: text("decline_code"),
            status_history: None,
        }
    }
}

/// An identity document (never its content, which only staff can fetch).
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityDocumentView {
    /// `idv_...`
    pub id: String,
    /// Always `identity_document`.
    pub object: &'static str,
    /// `passport`, `id_card` or `proof_of_address`.
    pub kind: String,
    /// `pending_review`, `approved` or `rejected`.
    pub status: String,
    /// Recognised from the content: `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// The reviewer's reason, once reviewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_reason: Option<String>,
    /// RFC 3339, once reviewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<String>,
    /// The owner (`usr_...`); shown to staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl IdentityDocumentView {
    /// The owner's view.
    pub fn for_owner(d: &IdentityDocumentRecord) -> Self {
        IdentityDocumentView {
            id: d.id.clone(),
            object: "identity_document",
            kind: d.kind.clone(),
            status: d.status.clone(),
            content_type: d.content_type.clone(),
            size: d.size_bytes,
            review_reason: d.review_reason.clone(),
            reviewed_at: d.reviewed_at_us.map(rfc3339),
            user: None,
            created_at: rfc3339(d.created_at_us),
        }
    }

    /// Staff's view: also names the owner.
    pub fn for_staff(d: &IdentityDocumentRecord) -> Self {
        IdentityDocumentView { user: Some(d.user_id.clone()), ..IdentityDocumentView::for_owner(d) }
    }
}
