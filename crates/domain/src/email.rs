//! Email addresses, normalised for lookup.

use std::fmt;

use crate::ValidationError;

/// A syntactically valid email address, trimmed and lowercased.
///
/// The check is deliberately simple (one `@`, a dotted domain, no spaces, RFC 5321 lengths):
/// the real proof that an address works is the verification mail.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Validates and normalises an address.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim().to_lowercase();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ValidationError::InvalidEmail);
        }
        let (local, domain) = s.split_once('@').ok_or(ValidationError::InvalidEmail)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.split('.').all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(ValidationError::InvalidEmail);
        }
        Ok(Email(s))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(self.0.as_str(), |(l, _)| l)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data: show only the domain in debug output and logs.
        let domain = self.0.split_once('@').map_or("", |(_, d)| d);
        write!(f, "Email(***@{domain})")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let e = Email::parse("  Alice@Example.COM ").map(|e| e.as_str().to_owned());
        assert_eq!(e, Ok("alice@example.com".to_owned()));
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "a", "a@", "@b.c", "a@b", "a b@c.d", "a@b..c", "a@.b.c", "a@b@c.d", "a@-b.c"] {
            assert_eq!(Email::parse(bad), Err(ValidationError::InvalidEmail), "{bad}");
        }
        assert!(Email::parse(&format!("{}@b.c", "a".repeat(65))).is_err());
    }

    #[test]
    fn debug_hides_the_local_part() {
        let e = Email::parse("secret@example.com").map(|e| format!("{e:?}"));
        assert_eq!(e, Ok("Email(***@example.com)".to_owned()));
    }
}
