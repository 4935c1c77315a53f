//! The password policy (API.md §2, after OWASP ASVS and NIST 800-63B).
//!
//! In order, cheapest first: 12 to 128 characters; not one of the 10,000 most common
//! passwords (shipped in the binary); not containing the email's local part or a part of the
//! name; a zxcvbn score of at least 3 (given the email and name as known words). The error
//! names the first rule broken, so the user learns what to change.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::{Email, ValidationError};

/// Fewest characters accepted.
pub const MIN_CHARS: usize = 12;
/// Most characters accepted (longer inputs only cost hashing time).
pub const MAX_CHARS: usize = 128;
/// Lowest zxcvbn score accepted (0–4).
pub const MIN_SCORE: u8 = 3;

/// The 10,000 most common passwords, lowercased, one per line (from the MIT-licensed zxcvbn
/// frequency list, itself compiled from public password leaks).
const COMMON: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// How many passwords the common list holds.
pub fn common_list_len() -> usize {
    common().len()
}

/// Checks `password` for a user called `name` with address `email`.
pub fn check(password: &str, name: &str, email: &Email) -> Result<(), ValidationError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(ValidationError::WeakPassword("too_short"));
    }
    if chars > MAX_CHARS {
        return Err(ValidationError::WeakPassword("too_long"));
    }
    let lower = password.to_lowercase();
    if common().contains(lower.as_str()) {
        return Err(ValidationError::WeakPassword("common"));
    }
    let local = email.local_part();
    if local.chars().count() >= 3 && lower.contains(local) {
        return Err(ValidationError::WeakPassword("contains_email"));
    }
    let name_lower = name.to_lowercase();
    let name_parts: Vec<&str> = name_lower.split_whitespace().filter(|p| p.chars().count() >= 3).collect();
    if name_parts.iter().any(|p| lower.contains(p)) {
        return Err(ValidationError::WeakPassword("contains_name"));
    }
    let mut inputs: Vec<&str> = vec![email.as_str(), local];
    inputs.extend(name_parts.iter().copied());
    let score = u8::from(zxcvbn::zxcvbn(password, &inputs).score());
    if score < MIN_SCORE {
        return Err(ValidationError::WeakPassword("guessable"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("alice.w@example.com").expect("email")
    }

    fn rule(pw: &str, name: &str) -> Result<(), &'static str> {
        check(pw, name, &email()).map_err(|e| match e {
            ValidationError::WeakPassword(r) => r,
            _ => "other",
        })
    }

    #[test]
    fn ships_at_least_ten_thousand_common_passwords() {
        assert!(common_list_len() >= 10_000);
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(rule("short", "Bob"), Err("too_short"));
        assert_eq!(rule(&"x".repeat(129), "Bob"), Err("too_long"));
        assert_eq!(rule(&"p".repeat(10_000), "Bob"), Err("too_long"));
        assert_eq!(rule("1qaz2wsx3edc", "Bob"), Err("common"));
        assert_eq!(rule("xxALICE.Wxx-long-enough", "Bob"), Err("contains_email"));
        assert_eq!(rule("robertsmith-2024-x", "Robert Smith"), Err("contains_name"));
        assert_eq!(rule("aaaaaaaaaaaaaaaa", "Bob"), Err("guessable"));
        assert_eq!(rule("abcdefabcdefabcdef", "Bob"), Err("guessable"));
        assert_eq!(rule("Velvet-Comet-Harbor-42", "Robert Smith"), Ok(()));
        assert_eq!(rule("tangerine Quartz 91 ribbon", "王小明"), Ok(()));
    }
}
