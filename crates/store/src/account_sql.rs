//! SQL of the account-token statements, the same text on both backends.

/// A user's status once a temporary lock is lifted (a freeze or closure is left alone).
macro_rules! unlocked_status {
    () => {
        "CASE WHEN status = 'locked' THEN (CASE WHEN email_verified THEN 'active' ELSE 'pending_verification' END) \
         ELSE status END"
    };
}

/// Inserts a token.
pub(crate) const INSERT_TOKEN: &str = "INSERT INTO account_tokens (token_hash, purpose, user_id, created_at_us, \
     expires_at_us, used_at_us) VALUES ($1, $2, $3, $4, $5, NULL)";
/// One token by hash.
pub(crate) const TOKEN: &str = "SELECT token_hash, purpose, user_id, created_at_us, expires_at_us, used_at_us \
     FROM account_tokens WHERE token_hash = $1";
/// Marks a redeemable token used; returns its user.
pub(crate) const USE_TOKEN: &str = "UPDATE account_tokens SET used_at_us = $3 WHERE token_hash = $1 AND purpose = $2 \
     AND used_at_us IS NULL AND expires_at_us > $3 RETURNING user_id";
/// Retires the user's other unused tokens of the purpose.
pub(crate) const RETIRE_TOKENS: &str =
    "UPDATE account_tokens SET used_at_us = $3 WHERE user_id = $1 AND purpose = $2 AND used_at_us IS NULL";
/// Marks the email verified.
pub(crate) const VERIFY_EMAIL: &str = "UPDATE users SET email_verified = $2, \
     status = CASE WHEN status = 'pending_verification' THEN 'active' ELSE status END WHERE id = $1";
/// Sets a new password and lifts a temporary lock.
pub(crate) const SET_PASSWORD: &str =
    concat!("UPDATE users SET password_hash = $2, status = ", unlocked_status!(), " WHERE id = $1");
/// Lifts a temporary lock.
pub(crate) const UNLOCK: &str = concat!("UPDATE users SET status = ", unlocked_status!(), " WHERE id = $1");
/// Lifts a lock whose address is no longer locked at `$2`.
pub(crate) const LIFT_EXPIRED_LOCK: &str = concat!(
    "UPDATE users SET status = ",
    unlocked_status!(),
    " WHERE id = $1 AND status = 'locked' AND NOT EXISTS (SELECT 1 FROM sign_in_throttle t ",
    "WHERE t.email = users.email AND t.locked_until_us > $2)"
);
/// Ends every session of a user.
pub(crate) const REVOKE_ALL_SESSIONS: &str = "UPDATE sessions SET revoked = $2 WHERE user_id = $1 AND NOT revoked";

/// An `account_tokens` row.
pub(crate) type TokenTuple = (String, String, String, i64, i64, Option<i64>);

/// Decodes an `account_tokens` row.
pub(crate) fn token(t: TokenTuple) -> okpay_app::ports::AccountToken {
    let (token_hash, purpose, user_id, created_at_us, expires_at_us, used_at_us) = t;
    okpay_app::ports::AccountToken { token_hash, purpose, user_id, created_at_us, expires_at_us, used_at_us }
}
