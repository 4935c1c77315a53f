//! The one error type of the domain layer.

/// Why an input was refused. Each variant maps to one stable API error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The amount is not a positive integer in minor units that fits in 64 bits.
    #[error("invalid amount: {0}")]
    InvalidAmount(&'static str),
    /// The currency is not one OKPay supports.
    #[error("unsupported currency")]
    InvalidCurrency,
    /// The email address is malformed.
    #[error("invalid email address")]
    InvalidEmail,
    /// The card number is malformed or fails the Luhn check.
    #[error("invalid card number")]
    InvalidCardNumber,
    /// The expiry month/year is malformed.
    #[error("invalid expiry date")]
    InvalidExpiryDate,
    /// The card's expiry date is in the past.
    #[error("expired card")]
    ExpiredCard,
    /// The CVC is not 3 (or 4 for American Express) digits.
    #[error("invalid cvc")]
    InvalidCvc,
    /// The account type is not `personal` or `business`.
    #[error("invalid account type")]
    InvalidAccountType,
    /// The password breaks a rule; the rule is named.
    #[error("weak password: {0}")]
    WeakPassword(&'static str),
    /// A name is empty, too long or holds control characters.
    #[error("invalid name")]
    InvalidName,
    /// An identity document's kind is not `passport`, `id_card` or `proof_of_address`.
    #[error("invalid document kind")]
    InvalidDocumentKind,
    /// An uploaded file's content is not JPEG, PNG or PDF (whatever its name says).
    #[error("unsupported file type")]
    UnsupportedFileType,
    /// An uploaded file is larger than allowed.
    #[error("file too large")]
    FileTooLarge,
    /// A free-text reason is too long or holds control characters.
    #[error("invalid reason")]
    InvalidReason,
}
