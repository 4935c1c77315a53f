//! Payment cards: numbers (Luhn, brand), expiry dates and CVCs.
//!
//! A [`CardNumber`] never prints its digits: `Debug` and `Display` show the brand and last four.

use std::fmt;

use crate::ValidationError;

/// Card networks recognised from the number's prefix (IIN ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardBrand {
    /// Visa (4).
    Visa,
    /// Mastercard (51–55, 2221–2720).
    Mastercard,
    /// American Express (34, 37).
    Amex,
    /// Discover (6011, 644–649, 65).
    Discover,
    /// JCB (3528–3589).
    Jcb,
    /// UnionPay (62).
    UnionPay,
    /// A valid number from a network not listed here.
    Unknown,
}

impl CardBrand {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Jcb => "jcb",
            CardBrand::UnionPay => "unionpay",
            CardBrand::Unknown => "unknown",
        }
    }

    fn from_digits(d: &str) -> CardBrand {
        let p = |n: usize| d.get(..n).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
        match () {
            _ if d.starts_with('4') => CardBrand::Visa,
            _ if (51..=55).contains(&p(2)) || (2221..=2720).contains(&p(4)) => CardBrand::Mastercard,
            _ if p(2) == 34 || p(2) == 37 => CardBrand::Amex,
            _ if p(4) == 6011 || p(2) == 65 || (644..=649).contains(&p(3)) => CardBrand::Discover,
            _ if (3528..=3589).contains(&p(4)) => CardBrand::Jcb,
            _ if p(2) == 62 => CardBrand::UnionPay,
            _ => CardBrand::Unknown,
        }
    }
}

/// A card number that passed the format and Luhn checks. Holds digits only.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Accepts digits with optional spaces or dashes; 12–19 digits; Luhn-valid.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let mut digits = String::with_capacity(19);
        for c in raw.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(ValidationError::InvalidCardNumber),
            }
            if digits.len() > 19 {
                return Err(ValidationError::InvalidCardNumber);
            }
        }
        if digits.len() < 12 || !luhn_valid(&digits) {
            return Err(ValidationError::InvalidCardNumber);
        }
        Ok(CardNumber(digits))
    }

    /// The card's network.
    pub fn brand(&self) -> CardBrand {
        CardBrand::from_digits(&self.0)
    }

    /// The last four digits, the only part OKPay keeps.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The full digits, for handing to the card rail only. Never log or store the result.
    pub fn expose_digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({} ****{})", self.brand().as_str(), self.last4())
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card's expiry month and four-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// 1–12.
    pub month: u8,
    /// Four-digit year.
    pub year: u16,
}

impl Expiry {
    /// Validates month/year (two-digit years mean 20YY) and refuses dates before `today`
    /// (`(year, month)`). A card is valid through the last day of its expiry month.
    pub fn parse(month: i64, year: i64, today: (i32, u8)) -> Result<Self, ValidationError> {
        if !(1..=12).contains(&month) {
            return Err(ValidationError::InvalidExpiryDate);
        }
        let year = match year {
            0..=99 => 2000 + year,
            1000..=9999 => year,
            _ => return Err(ValidationError::InvalidExpiryDate),
        };
        let (ty, tm) = (i64::from(today.0), i64::from(today.1));
        if (year, month) < (ty, tm) {
            return Err(ValidationError::ExpiredCard);
        }
        if year > ty + 50 {
            return Err(ValidationError::InvalidExpiryDate);
        }
        // Both fit: month is 1..=12 and year is within 50 years of a four-digit year.
        Ok(Expiry { month: month as u8, year: year as u16 })
    }
}

/// A card security code: checked for format, passed to the rail, never stored.
#[derive(Clone)]
pub struct Cvc(String);

impl Cvc {
    /// Three digits, or four for American Express.
    pub fn parse(raw: &str, brand: CardBrand) -> Result<Self, ValidationError> {
        let want = if brand == CardBrand::Amex { 4 } else { 3 };
        if raw.len() != want || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::InvalidCvc);
        }
        Ok(Cvc(raw.to_owned()))
    }

    /// The digits, for the rail only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_parse_with_spaces_and_dashes() {
        let c = CardNumber::parse("4242 4242-4242 4242");
        assert_eq!(c.as_ref().map(CardNumber::last4), Ok("4242"));
        assert_eq!(c.map(|c| c.brand()), Ok(CardBrand::Visa));
        assert_eq!(CardNumber::parse("5555555555554444").map(|c| c.brand()), Ok(CardBrand::Mastercard));
        assert_eq!(CardNumber::parse("378282246310005").map(|c| c.brand()), Ok(CardBrand::Amex));
    }

    #[test]
    fn rejects_letters_bad_luhn_and_lengths() {
        for bad in ["4242 4242 4242 424a", "4242424242424241", "4242", "42424242424242424242", ""] {
            assert_eq!(CardNumber::parse(bad), Err(ValidationError::InvalidCardNumber), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_digits() {
        let c = CardNumber::parse("4242424242424242").map(|c| format!("{c:?}"));
        assert_eq!(c, Ok("CardNumber(visa ****4242)".to_owned()));
    }

    #[test]
    fn expiry_rules() {
        let today = (2026, 11);
        assert_eq!(Expiry::parse(11, 2026, today), Ok(Expiry { month: 11, year: 2026 }));
        assert_eq!(Expiry::parse(12, 30, today), Ok(Expiry { month: 12, year: 2030 }));
        assert_eq!(Expiry::parse(10, 2026, today), Err(ValidationError::ExpiredCard));
        assert_eq!(Expiry::parse(13, 2027, today), Err(ValidationError::InvalidExpiryDate));
        assert_eq!(Expiry::parse(0, 2027, today), Err(ValidationError::InvalidExpiryDate));
        assert_eq!(Expiry::parse(1, 2100, today), Err(ValidationError::InvalidExpiryDate));
    }

    #[test]
    fn cvc_length_depends_on_brand() {
        assert!(Cvc::parse("123", CardBrand::Visa).is_ok());
        assert!(Cvc::parse("1234", CardBrand::Visa).is_err());
        assert!(Cvc::parse("1234", CardBrand::Amex).is_ok());
        assert!(Cvc::parse("12a", CardBrand::Visa).is_err());
    }
}
