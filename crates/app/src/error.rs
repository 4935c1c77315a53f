//! The one error type of the application layer, with the stable codes of the API.
//!
//! Use [`AppError`] for every failure a use case reports. The HTTP layer maps each [`Code`]
//! once to a status, an error `type` and messages in Chinese and English; a test there fails if
//! a code has no message or help page. Internal details go in `detail`, which is logged with the
//! request id and never returned to the caller.

use okpay_domain::ValidationError;

use crate::closure::Blocker;

macro_rules! codes {
    ($($variant:ident => $s:literal),* $(,)?) => {
        /// Every stable error code OKPay returns.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = concat!("`", $s, "`")] $variant,)*
        }

        impl Code {
            /// All codes, for catalogs and tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The wire value.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $s,)* }
            }

            /// Parses a wire value.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($s => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    InvalidJson => "invalid_json",
    ParameterMissing => "parameter_missing",
    ParameterInvalid => "parameter_invalid",
    ParameterUnknown => "parameter_unknown",
    UnsupportedMediaType => "unsupported_media_type",
    RequestTooLarge => "request_too_large",
    InvalidAmount => "invalid_amount",
    InvalidCurrency => "invalid_currency",
    InvalidEmail => "invalid_email",
    InvalidName => "invalid_name",
    InvalidAccountType => "invalid_account_type",
    WeakPassword => "weak_password",
    InvalidCardNumber => "invalid_card_number",
    InvalidExpiryDate => "invalid_expiry_date",
    ExpiredCard => "expired_card",
    InvalidCvc => "invalid_cvc",
    InvalidAccountNumber => "invalid_account_number",
    InvalidDateRange => "invalid_date_range",
    IdempotencyKeyRequired => "idempotency_key_required",
    IdempotencyKeyInvalid => "idempotency_key_invalid",
    IdempotencyKeyReused => "idempotency_key_reused",
    IdempotencyKeyInUse => "idempotency_key_in_use",
    AuthenticationRequired => "authentication_required",
    InvalidCredentials => "invalid_credentials",
    SessionExpired => "session_expired",
    PermissionDenied => "permission_denied",
    AccountLocked => "account_locked",
    AccountFrozen => "account_frozen",
    AccountClosed => "account_closed",
    EmailNotVerified => "email_not_verified",
    OtpRequired => "otp_required",
    OtpInvalid => "otp_invalid",
    TotpAlreadyEnabled => "totp_already_enabled",
    TotpNotEnabled => "totp_not_enabled",
    TokenInvalid => "token_invalid",
    TokenExpired => "token_expired",
    AccountStatusConflict => "account_status_conflict",
    ResourceMissing => "resource_missing",
    RouteNotFound => "route_not_found",
    MethodNotAllowed => "method_not_allowed",
    PaymentMethodNotSupported => "payment_method_not_supported",
    RecipientNotFound => "recipient_not_found",
    RecipientUnavailable => "recipient_unavailable",
    TransferToSelf => "transfer_to_self",
    TermsNotAccepted => "terms_not_accepted",
    ClosureBlocked => "closure_blocked",
    ClosureAlreadyRequested => "closure_already_requested",
    ClosureNotPending => "closure_not_pending",
    InsufficientFunds => "insufficient_funds",
    LimitExceeded => "limit_exceeded",
    AmountTooSmall => "amount_too_small",
    CardDeclined => "card_declined",
    IncorrectCvc => "incorrect_cvc",
    ProcessingError => "processing_error",
    BankTransferFailed => "bank_transfer_failed",
    WithdrawalNotCancelable => "withdrawal_not_cancelable",
    WithdrawalReturned => "withdrawal_returned",
    InvalidWebhookUrl => "invalid_webhook_url",
    WebhookNotConfigured => "webhook_not_configured",
    ApiKeyNotAllowed => "api_key_not_allowed",
    ApiKeyRequired => "api_key_required",
    RateLimited => "rate_limited",
    ServiceBusy => "service_busy",
    ApiError => "api_error",
    FileTooLarge => "file_too_large",
    UnsupportedFileType => "unsupported_file_type",
    InvalidDocumentKind => "invalid_document_kind",
    InvalidMultipart => "invalid_multipart",
    DocumentAlreadyReviewed => "document_already_reviewed",
    PaymentMethodNotAccepted => "payment_method_not_accepted",
    PaymentAlreadyCompleted => "payment_already_completed",
    PaymentToSelf => "payment_to_self",
    RefundExceedsPayment => "refund_exceeds_payment",
    PaymentNotRefundable => "payment_not_refundable",
}

/// A failed use case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", code.as_str(), detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
pub struct AppError {
    /// Stable code.
    pub code: Code,
    /// The request parameter at fault, if any.
    pub param: Option<String>,
    /// For `card_declined`: the issuer's reason (`generic_decline`, `insufficient_funds`, ...).
    pub decline_code: Option<&'static str>,
    /// A rule name or detail safe to show (e.g. which password rule failed).
    pub reason: Option<&'static str>,
    /// Internal detail for logs only.
    pub detail: Option<String>,
    /// Structured facts the caller needs to act on, rendered as extra fields of the body.
    pub details: Option<Box<Details>>,
}

/// Structured facts carried by an error, beyond its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Details {
    /// `closure_blocked`: what keeps the account from being closed.
    Blockers(Vec<Blocker>),
    /// `limit_exceeded`: which limit, how much is left and when it resets.
    Limit(okpay_domain::limits::Breach),
}

impl AppError {
    /// An error with just a code.
    pub fn new(code: Code) -> Self {
        AppError { code, param: None, decline_code: None, reason: None, detail: None, details: None }
    }

    /// Names the parameter at fault.
    pub fn param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Adds a reason safe to show (a rule name with text in the catalog).
    pub fn reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Adds an internal detail (logged, never returned).
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Attaches structured details (rendered as extra fields of the error body).
    pub fn details(mut self, details: Details) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// A storage or other internal failure.
    pub fn internal(detail: impl Into<String>) -> Self {
        AppError::new(Code::ApiError).detail(detail)
    }

    /// Maps a domain validation failure of `param`.
    pub fn invalid(e: ValidationError, param: &str) -> Self {
        let (code, reason) = match e {
            ValidationError::InvalidAmount(r) => (Code::InvalidAmount, Some(r)),
            ValidationError::InvalidCurrency => (Code::InvalidCurrency, None),
            ValidationError::InvalidEmail => (Code::InvalidEmail, None),
            ValidationError::InvalidCardNumber => (Code::InvalidCardNumber, None),
            ValidationError::InvalidExpiryDate => (Code::InvalidExpiryDate, None),
            ValidationError::ExpiredCard => (Code::ExpiredCard, None),
            ValidationError::InvalidCvc => (Code::InvalidCvc, None),
            ValidationError::InvalidAccountType => (Code::InvalidAccountType, None),
            ValidationError::WeakPassword(r) => (Code::WeakPassword, Some(r)),
            ValidationError::InvalidName => (Code::InvalidName, None),
            ValidationError::InvalidDocumentKind => (Code::InvalidDocumentKind, None),
            ValidationError::UnsupportedFileType => (Code::UnsupportedFileType, None),
            ValidationError::FileTooLarge => (Code::FileTooLarge, None),
            ValidationError::InvalidReason => (Code::ParameterInvalid, None),
        };
        AppError { reason, ..AppError::new(code).param(param) }
    }
}

impl From<okpay_ledger::StorageError> for AppError {
    fn from(e: okpay_ledger::StorageError) -> Self {
        AppError::internal(e.message)
    }
}
