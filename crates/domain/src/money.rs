//! Money: currencies with their minor-unit exponents and positive amounts in minor units.
//!
//! There are no floats here. An amount is an `i64` count of the currency's smallest unit
//! (cents for USD, yen for JPY); arithmetic is checked and overflow is an error.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A currency OKPay holds balances in. Serialised as its lowercase ISO-4217 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Currency {
    /// US dollar (2 decimals).
    Usd,
    /// Euro (2 decimals).
    Eur,
    /// Chinese yuan renminbi (2 decimals).
    Cny,
    /// Japanese yen (no minor unit).
    Jpy,
}

impl Currency {
    /// Every supported currency, in a stable order.
    pub const ALL: [Currency; 4] = [Currency::Usd, Currency::Eur, Currency::Cny, Currency::Jpy];

    /// The lowercase ISO-4217 code, as used on the wire and in storage.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "usd",
            Currency::Eur => "eur",
            Currency::Cny => "cny",
            Currency::Jpy => "jpy",
        }
    }

    /// Number of decimal places of the minor unit (ISO-4217 exponent).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            Currency::Usd | Currency::Eur | Currency::Cny => 2,
        }
    }

    /// Formats minor units for people, e.g. `1050` usd → `10.50 USD`.
    pub fn format(self, minor: i64) -> String {
        let exp = self.exponent();
        let code = self.code().to_ascii_uppercase();
        if exp == 0 {
            return format!("{minor} {code}");
        }
        let scale = 10_i64.pow(exp);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let scale_u = scale.unsigned_abs();
        format!("{sign}{}.{:0width$} {code}", abs / scale_u, abs % scale_u, width = exp as usize)
    }
}

impl FromStr for Currency {
    type Err = ValidationError;

    /// Accepts only the lowercase code, as the API contract states.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL.into_iter().find(|c| c.code() == s).ok_or(ValidationError::InvalidCurrency)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A strictly positive amount of money in minor units.
///
/// Zero and negative amounts cannot be constructed: a movement of nothing is a bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Amount(i64);

impl Amount {
    /// The largest amount accepted in one request: high enough for any real payment, low
    /// enough that summing many of them cannot overflow an `i64` balance in practice.
    pub const MAX_MINOR: i64 = 1_000_000_000_000_000; // 10^15 minor units

    /// Validates a minor-unit amount.
    pub fn new(minor: i64) -> Result<Self, ValidationError> {
        if minor <= 0 {
            return Err(ValidationError::InvalidAmount("must be greater than zero"));
        }
        if minor > Self::MAX_MINOR {
            return Err(ValidationError::InvalidAmount("is larger than the maximum allowed"));
        }
        Ok(Amount(minor))
    }

    /// The amount in minor units.
    pub fn minor(self) -> i64 {
        self.0
    }

    /// Checked sum; `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let minor = i64::deserialize(d)?;
        Amount::new(minor).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_round_trip_and_reject_others() {
        for c in Currency::ALL {
            assert_eq!(c.code().parse::<Currency>(), Ok(c));
        }
        assert_eq!("USD".parse::<Currency>(), Err(ValidationError::InvalidCurrency));
        assert_eq!("xyz".parse::<Currency>(), Err(ValidationError::InvalidCurrency));
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::Jpy.exponent(), 0);
        assert_eq!(Currency::Usd.exponent(), 2);
        assert_eq!(Currency::Usd.format(1050), "10.50 USD");
        assert_eq!(Currency::Usd.format(-5), "-0.05 USD");
        assert_eq!(Currency::Jpy.format(300), "300 JPY");
    }

    #[test]
    fn amounts_must_be_positive_and_bounded() {
        assert!(Amount::new(0).is_err());
        assert!(Amount::new(-1).is_err());
        assert!(Amount::new(Amount::MAX_MINOR + 1).is_err());
        assert_eq!(Amount::new(1).map(Amount::minor), Ok(1));
    }
}
