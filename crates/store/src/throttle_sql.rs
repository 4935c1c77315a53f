//! SQL of the sign-in throttle, the same text on both backends.

/// Until when an address is locked.
pub(crate) const LOCKED_UNTIL: &str = "SELECT locked_until_us FROM sign_in_throttle WHERE email = $1";
/// Counts a failure: a window older than `$3` (now − window) restarts at `$2` (now).
pub(crate) const RECORD_FAILURE: &str = "INSERT INTO sign_in_throttle (email, window_start_us, failures, \
     locked_until_us) VALUES ($1, $2, 1, 0) ON CONFLICT (email) DO UPDATE SET \
     failures = CASE WHEN sign_in_throttle.window_start_us <= $3 THEN 1 ELSE sign_in_throttle.failures + 1 END, \
     window_start_us = CASE WHEN sign_in_throttle.window_start_us <= $3 THEN $2 \
     ELSE sign_in_throttle.window_start_us END RETURNING failures";
/// Locks an address and restarts its count.
pub(crate) const LOCK: &str = "INSERT INTO sign_in_throttle (email, window_start_us, failures, locked_until_us) \
     VALUES ($1, $2, 0, $3) ON CONFLICT (email) DO UPDATE SET window_start_us = $2, failures = 0, locked_until_us = $3";
/// Locks an account in good standing.
pub(crate) const LOCK_ACCOUNT: &str =
    "UPDATE users SET status = 'locked' WHERE id = $1 AND status IN ('active', 'pending_verification')";
/// Forgets an address's failures and lock.
pub(crate) const CLEAR: &str = "DELETE FROM sign_in_throttle WHERE email = $1";
/// Forgets the failures and lock of a user's address.
pub(crate) const CLEAR_FOR_USER: &str =
    "DELETE FROM sign_in_throttle WHERE email = (SELECT email FROM users WHERE id = $1)";
