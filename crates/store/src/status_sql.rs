//! SQL of the staff status changes and role grants, the same text on both backends.

use okpay_app::ports::StatusChange;

/// The status a verified or unverified account returns to.
macro_rules! good_standing {
    () => {
        "CASE WHEN email_verified THEN 'active' ELSE 'pending_verification' END"
    };
}

/// The `UPDATE` that moves the account, guarded by the statuses the change may start from;
/// it affects no row when the change does not apply.
pub(crate) fn update(change: StatusChange) -> &'static str {
    match change {
        StatusChange::Freeze => {
            "UPDATE users SET status = 'frozen' WHERE id = $1 \
             AND status IN ('active', 'pending_verification', 'locked')"
        }
        StatusChange::Unfreeze => {
            concat!("UPDATE users SET status = ", good_standing!(), " WHERE id = $1 AND status = 'frozen'")
        }
        StatusChange::Unlock => {
            concat!("UPDATE users SET status = ", good_standing!(), " WHERE id = $1 AND status = 'locked'")
        }
    }
}

/// Retires the user's unused unlock links (`$2` = now).
pub(crate) const RETIRE_UNLOCK_TOKENS: &str = "UPDATE account_tokens SET used_at_us = $2 \
     WHERE user_id = $1 AND purpose = 'unlock' AND used_at_us IS NULL";

/// Adds role `$2` to the space-separated roles of user `$1` unless it is already there.
pub(crate) const GRANT_ROLE: &str = "UPDATE users SET roles = roles || ' ' || $2 \
     WHERE id = $1 AND (' ' || roles || ' ') NOT LIKE ('% ' || $2 || ' %')";
