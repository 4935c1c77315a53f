//! Two-factor codes: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, ±1 step of clock
//! skew) and single-use recovery codes. Pure functions of a secret and a time; the caller
//! stores the last accepted step so that no code is accepted twice.

use rand::RngCore;
use totp_rs::{Builder, Secret, Totp};

use crate::ids::random_token;

/// Bytes of a new TOTP secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// Recovery codes issued when two-factor is turned on.
pub const RECOVERY_CODES: usize = 10;

/// Seconds per TOTP step.
pub const STEP_SECS: u64 = 30;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "OKPay";

/// A TOTP secret, as stored: RFC 4648 base32 without padding.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A fresh random secret.
    pub fn generate() -> TotpSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        TotpSecret(Secret::from(bytes).to_base32())
    }

    /// Wraps a stored secret.
    pub fn from_base32(s: impl Into<String>) -> TotpSecret {
        TotpSecret(s.into())
    }

    /// The base32 text (for storage and manual entry in an app).
    pub fn as_base32(&self) -> &str {
        &self.0
    }

    fn totp(&self, account: &str) -> Option<Totp> {
        let secret = Secret::try_from_base32(&self.0).ok()?;
        Builder::new()
            .with_secret(secret)
            .with_issuer(Some(ISSUER))
            // `:` separates issuer and account in the URI label; an email never has one.
            .with_account_name(account.replace(':', ""))
            .build()
            .ok()
    }

    /// The `otpauth://totp/...` URI an authenticator app scans.
    pub fn uri(&self, account: &str) -> Option<String> {
        self.totp(account)?.to_url().ok()
    }

    /// The step a `code` is valid for at `unix_secs` (the current step or one either side),
    /// or `None` if it is not a valid code.
    pub fn check(&self, code: &str, unix_secs: u64) -> Option<u64> {
        self.totp("")?.check(code.trim(), unix_secs)
    }

    /// The code for `unix_secs` (tests and diagnostics).
    pub fn code_at(&self, unix_secs: u64) -> Option<String> {
        Some(self.totp("")?.generate(unix_secs).to_string())
    }
}

/// Ten new recovery codes, each 50 random bits shown as `XXXXX-XXXXX`.
pub fn recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let t = random_token(7).to_ascii_uppercase();
            format!("{}-{}", &t[..5], &t[5..10])
        })
        .collect()
}

/// A recovery code as typed by a user, normalised for hashing: upper case, no spaces or
/// dashes. `None` if it cannot be one.
pub fn normalise_recovery_code(code: &str) -> Option<String> {
    let s: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
    (s.len() == 10 && s.chars().all(|c| c.is_ascii_alphanumeric())).then_some(s)
}

/// Whether `code` looks like a TOTP code (six digits) rather than a recovery code.
pub fn is_totp_code(code: &str) -> bool {
    let c = code.trim();
    c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_current_step_and_one_either_side() {
        let s = TotpSecret::generate();
        let now = 1_800_000_000;
        let step = now / STEP_SECS;
        for (at, expect) in [(now - 30, step - 1), (now, step), (now + 30, step + 1)] {
            let code = s.code_at(at).unwrap();
            assert_eq!(s.check(&code, now), Some(expect));
        }
        let old = s.code_at(now - 90).unwrap();
        if old != s.code_at(now).unwrap() && old != s.code_at(now - 30).unwrap() && old != s.code_at(now + 30).unwrap()
        {
            assert_eq!(s.check(&old, now), None);
        }
        assert_eq!(s.check("12345", now), None);
        assert_eq!(s.check("abcdef", now), None);
    }

    #[test]
    fn rfc_6238_vector() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890": T=59 → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let s = TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(s.code_at(59).as_deref(), Some("287082"));
        assert_eq!(s.code_at(1_111_111_109).as_deref(), Some("081804"));
    }

    #[test]
    fn uri_names_issuer_and_account() {
        let s = TotpSecret::generate();
        let uri = s.uri("ann@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/OKPay:ann%40example.com?"), "{uri}");
        assert!(uri.contains(&format!("secret={}", s.as_base32())));
        assert!(uri.contains("issuer=OKPay"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 11);
        assert_eq!(normalise_recovery_code(&c.to_lowercase()), Some(c.replace('-', "")));
        assert_eq!(normalise_recovery_code("short"), None);
        assert!(is_totp_code(" 123456 "));
        assert!(!is_totp_code("12345a"));
    }

    #[test]
    fn debug_hides_the_secret() {
        let s = TotpSecret::generate();
        assert!(!format!("{s:?}").contains(s.as_base32()));
    }
}
