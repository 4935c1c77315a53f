//! Row tuples of the app's tables and their conversion into the records of
//! [`okpay_app::ports`]. Both backends select the same columns in the same order, so the
//! decoding lives here once.

use okpay_app::ports::{AuditRecord, PaymentMethodRecord, SessionRecord, StoredResponse, UserRecord};
use okpay_ledger::{StatementLine, StorageError};

use crate::error::corrupt;
use crate::snapshot::currency;

/// Columns of `users`, in [`user`]'s order (a macro so `concat!` can build `&'static str` SQL).
macro_rules! user_columns {
    () => {
        "id, email, name, account_type, status, email_verified, locale, password_hash, roles, kyc_level, created_at_us"
    };
}
pub(crate) use user_columns;

/// A `users` row.
pub(crate) type UserTuple = (String, String, String, String, String, bool, String, String, String, i64, i64);

/// Decodes a `users` row.
pub(crate) fn user(t: UserTuple) -> UserRecord {
    let (id, email, name, account_type, status, email_verified, locale, password_hash, roles, kyc_level, created_at_us) =
        t;
    UserRecord {
        id,
        email,
        name,
        account_type,
        status,
        email_verified,
        locale,
        password_hash,
        roles,
        kyc_level,
        created_at_us,
    }
}

/// Columns of `sessions`, in [`session`]'s order.
macro_rules! session_columns {
    () => {
        "id, user_id, token_hash, user_agent, ip, created_at_us, last_seen_us, expires_at_us, revoked"
    };
}
pub(crate) use session_columns;

/// A `sessions` row.
pub(crate) type SessionTuple = (String, String, String, String, String, i64, i64, i64, bool);

/// Decodes a `sessions` row.
pub(crate) fn session(t: SessionTuple) -> SessionRecord {
    let (id, user_id, token_hash, user_agent, ip, created_at_us, last_seen_us, expires_at_us, revoked) = t;
    SessionRecord { id, user_id, token_hash, user_agent, ip, created_at_us, last_seen_us, expires_at_us, revoked }
}

/// Columns of a live session joined with its user (`sessions s JOIN users u`), in
/// [`session_user`]'s order.
macro_rules! session_user_columns {
    () => {
        "s.id, s.expires_at_us, s.last_seen_us, u.id, u.email, u.name, u.account_type, u.status, \
         u.email_verified, u.locale, u.password_hash, u.roles, u.kyc_level, u.created_at_us"
    };
}
pub(crate) use session_user_columns;

/// A session joined with its user.
pub(crate) type SessionUserTuple =
    (String, i64, i64, String, String, String, String, String, bool, String, String, String, i64, i64);

/// Decodes a session joined with its user.
pub(crate) fn session_user(t: SessionUserTuple) -> okpay_app::ports::SessionUser {
    let (
        session_id,
        expires_at_us,
        last_seen_us,
        id,
        email,
        name,
        account_type,
        status,
        verified,
        locale,
        hash,
        roles,
        kyc,
        at,
    ) = t;
    okpay_app::ports::SessionUser {
        session_id,
        expires_at_us,
        last_seen_us,
        user: user((id, email, name, account_type, status, verified, locale, hash, roles, kyc, at)),
    }
}

/// Columns of `payment_methods`, in [`payment_method`]'s order.
macro_rules! payment_method_columns {
    () => {
        "id, user_id, kind, brand, last4, exp_month, exp_year, holder_name, bank_name, country, rail_token, created_at_us"
    };
}
pub(crate) use payment_method_columns;

/// A `payment_methods` row.
pub(crate) type PaymentMethodTuple = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
);

/// Decodes a `payment_methods` row.
pub(crate) fn payment_method(t: PaymentMethodTuple) -> PaymentMethodRecord {
    let (
        id,
        user_id,
        kind,
        brand,
        last4,
        exp_month,
        exp_year,
        holder_name,
        bank_name,
        country,
        rail_token,
        created_at_us,
    ) = t;
    PaymentMethodRecord {
        id,
        user_id,
        kind,
        brand,
        last4,
        exp_month,
        exp_year,
        holder_name,
        bank_name,
        country,
        rail_token,
        created_at_us,
    }
}

/// Columns of `transactions`, in [`line()`]'s order.
macro_rules! line_columns {
    () => {
        "id, owner, kind, amount_minor, fee_minor, currency, status, source_id, counterparty, description, details, created_at_us"
    };
}
pub(crate) use line_columns;

/// A `transactions` row (without `initial_status`).
pub(crate) type LineTuple =
    (String, String, String, i64, i64, String, String, String, Option<String>, Option<String>, Option<String>, i64);

/// Decodes a `transactions` row.
pub(crate) fn line(t: LineTuple) -> Result<StatementLine, StorageError> {
    let (
        id,
        owner,
        kind,
        amount_minor,
        fee_minor,
        cur,
        status,
        source_id,
        counterparty,
        description,
        details,
        created_at_us,
    ) = t;
    Ok(StatementLine {
        id,
        owner,
        kind,
        amount_minor,
        fee_minor,
        currency: currency(&cur)?,
        status,
        source_id,
        counterparty,
        description,
        details,
        created_at_us,
        notify: false,
    })
}

/// An `idempotency_keys` row: `(request_hash, status, body, request_id, created_at_us)`.
pub(crate) type ResponseTuple = (String, i32, Vec<u8>, String, i64);

/// Decodes an `idempotency_keys` row.
pub(crate) fn response(t: ResponseTuple) -> Result<StoredResponse, StorageError> {
    let (request_hash, status, body, request_id, created_at_us) = t;
    let status = u16::try_from(status).map_err(|_| corrupt(format!("HTTP status {status}")))?;
    Ok(StoredResponse { request_hash, status, body, request_id, created_at_us })
}

/// An audit row as selected.
pub(crate) type AuditTuple =
    (i64, i64, String, Option<String>, String, String, String, String, Option<String>, Option<String>);

/// Builds an [`AuditRecord`] from its row.
pub(crate) fn audit(t: AuditTuple) -> AuditRecord {
    let (id, at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id) = t;
    AuditRecord { id, at_us, actor, subject, action, outcome, ip, user_agent, reason, session_id }
}
