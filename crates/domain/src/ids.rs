//! Public identifiers: opaque strings with a type prefix (`usr_`, `tr_`, `txn_`, ...).
//!
//! Random ids carry 120 bits from the thread-local CSPRNG. Ids derived from an idempotency key
//! are a hash of (caller, operation, key): a retried request maps to the same id, which the
//! ledger's unique journal reference then refuses to post twice, even after a crash.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Lowercase Crockford base32 alphabet (no i, l, o, u): readable over the phone.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters of randomness after the prefix: 24 × 5 = 120 bits.
const ID_CHARS: usize = 24;

/// The kinds of public id and their prefixes (API.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `usr_`
    User,
    /// `pm_`
    PaymentMethod,
    /// `dep_`
    Deposit,
    /// `tr_`
    Transfer,
    /// `wd_`
    Withdrawal,
    /// `txn_`
    Transaction,
    /// `pay_`
    Payment,
    /// `re_`
    Refund,
    /// `evt_`
    Event,
    /// `key_`
    ApiKey,
    /// `ses_` (session ids shown in the device list; never the token itself)
    Session,
    /// `req_`
    Request,
    /// `idv_` (an uploaded identity document)
    IdentityDocument,
    /// `clr_` (a request to close an account)
    ClosureRequest,
}

impl IdKind {
    /// The prefix including the underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "usr_",
            IdKind::PaymentMethod => "pm_",
            IdKind::Deposit => "dep_",
            IdKind::Transfer => "tr_",
            IdKind::Withdrawal => "wd_",
            IdKind::Transaction => "txn_",
            IdKind::Payment => "pay_",
            IdKind::Refund => "re_",
            IdKind::Event => "evt_",
            IdKind::ApiKey => "key_",
            IdKind::Session => "ses_",
            IdKind::Request => "req_",
            IdKind::IdentityDocument => "idv_",
            IdKind::ClosureRequest => "clr_",
        }
    }

    /// A fresh random id of this kind.
    pub fn random(self) -> String {
        let mut bytes = [0u8; 15];
        rand::rng().fill_bytes(&mut bytes);
        format!("{}{}", self.prefix(), &base32(&bytes)[..ID_CHARS])
    }

    /// A fresh id of this kind that sorts (as a string) after every id of this kind made at an
    /// earlier microsecond: see [`time_ordered_token`].
    pub fn time_ordered(self, now_us: i64) -> String {
        format!("{}{}", self.prefix(), time_ordered_token(now_us))
    }

    /// The id this kind gets for `parts` (e.g. caller, key): the same parts give the same id.
    pub fn derived(self, parts: &[&str]) -> String {
        let mut h = Sha256::new();
        h.update(self.prefix().as_bytes());
        for p in parts {
            // Length-prefix each part so ("ab","c") and ("a","bc") differ.
            h.update((p.len() as u64).to_be_bytes());
            h.update(p.as_bytes());
        }
        format!("{}{}", self.prefix(), &base32(&h.finalize())[..ID_CHARS])
    }

    /// Whether `s` looks like an id of this kind (prefix and alphabet), without a lookup.
    pub fn matches(self, s: &str) -> bool {
        s.strip_prefix(self.prefix())
            .is_some_and(|rest| !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| ALPHABET.contains(&b)))
    }
}

/// A secret token with `bytes × 8` bits of randomness, base32-encoded (for sessions and links).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base32(&buf)
}

/// Bits of a [`time_ordered_token`] that hold the time: microseconds since the epoch up to
/// the year 3111.
const TIME_BITS: u32 = 55;

/// A 24-character token (120 bits, as [`IdKind::random`]): `now_us` in the first 55 bits, then
/// 65 random bits. The alphabet is in ASCII order, so tokens of later microseconds sort after
/// earlier ones. A database index keyed by such tokens takes new rows at its end instead of
/// at scattered places, so a commit of many rows writes a few index pages rather than one
/// per row. A time before the epoch counts as the epoch.
pub fn time_ordered_token(now_us: i64) -> String {
    let time = u128::from(now_us.max(0).unsigned_abs()) & ((1u128 << TIME_BITS) - 1);
    let random = u128::from(rand::rng().next_u64()) << 1 | u128::from(rand::rng().next_u32() & 1);
    let value = (time << (120 - TIME_BITS)) | random;
    base32(&value.to_be_bytes()[1..])
}

/// SHA-256 of a token as lowercase hex: what is stored instead of the token itself.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_have_prefix_and_differ() {
        let a = IdKind::Transfer.random();
        let b = IdKind::Transfer.random();
        assert!(a.starts_with("tr_") && a.len() == 3 + ID_CHARS);
        assert_ne!(a, b);
        assert!(IdKind::Transfer.matches(&a));
        assert!(!IdKind::User.matches(&a));
    }

    #[test]
    fn time_ordered_ids_sort_by_time_and_differ() {
        let t = 1_795_000_000_000_000; // 2026-11
        let a = IdKind::Transaction.time_ordered(t);
        let b = IdKind::Transaction.time_ordered(t);
        let later = IdKind::Transaction.time_ordered(t + 1);
        assert!(a.starts_with("txn_") && a.len() == 4 + ID_CHARS, "{a}");
        assert!(IdKind::Transaction.matches(&a));
        assert_ne!(a, b);
        assert!(a < later && b < later, "{a} {b} {later}");
        // The time is the leading characters: same microsecond, same prefix.
        assert_eq!(a[..15], b[..15]);
        // Ordered across the whole range, and before the epoch counts as the epoch.
        let times = [0, 1, 1_000_000, t, 1 << 52, (1 << 55) - 1];
        let ids: Vec<String> = times.iter().map(|&t| time_ordered_token(t)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert!(ids.iter().all(|id| id.len() == ID_CHARS));
        assert_eq!(time_ordered_token(-5)[..11], ids[0][..11]);
    }

    #[test]
    fn derived_ids_are_stable_and_separate_parts() {
        let a = IdKind::Transfer.derived(&["usr_1", "key"]);
        assert_eq!(a, IdKind::Transfer.derived(&["usr_1", "key"]));
        assert_ne!(a, IdKind::Transfer.derived(&["usr_1k", "ey"]));
        assert_ne!(a, IdKind::Deposit.derived(&["usr_1", "key"]));
    }

    #[test]
    fn tokens_are_long_and_hash_is_hex() {
        let t = random_token(32);
        assert!(t.len() >= 51);
        assert_eq!(token_hash("abc").len(), 64);
    }
}
