//! OKPay's domain: the values every other crate passes around.
//!
//! Everything here is pure (no I/O, no async) and validates on construction: once you hold an
//! [`Amount`], a [`Currency`], an [`Email`] or a [`CardNumber`], it is valid. Parsing failures are
//! [`ValidationError`]s that carry a stable code the HTTP layer maps to its error body.

pub mod card;
pub mod closure;
pub mod document;
pub mod email;
pub mod error;
pub mod ids;
pub mod limits;
pub mod money;
pub mod password;
pub mod risk;
pub mod time;
pub mod totp;
pub mod user;
pub mod withdrawal;

pub use card::{CardBrand, CardNumber, Cvc, Expiry};
pub use email::Email;
pub use error::ValidationError;
pub use money::{Amount, Currency};
pub use user::{AccountType, UserStatus};
