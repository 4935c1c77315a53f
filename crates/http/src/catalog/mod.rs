//! The error catalog: for every stable [`Code`], its HTTP status, its error `type` and its human
//! text (title, message and what to do next) in English and Chinese.
//!
//! The HTTP layer builds every error body and every `/v1/help/errors/{code}` page from this one
//! table. [`entry`] is an exhaustive `match` over [`Code`], so adding a code does not compile until
//! it has an entry, and a test checks that every code in [`Code::ALL`] has non-empty text in both
//! languages. [`reason_text`] adds a sentence for an error's sub-reason (which password rule
//! failed, why an amount was refused).
//!
//! The texts live in one file per area (`requests`, `identity`, `documents`, `money`, `payments`) as
//! constants; this module's `match` only points each code at its constant.

mod documents;
mod identity;
mod money;
mod payments;
mod requests;

use okpay_app::Code;

/// Error `type` of the API error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// `invalid_request_error`: the request is malformed or cannot be fulfilled as sent.
    InvalidRequest,
    /// `authentication_error`: the caller is not (or no longer) signed in.
    Authentication,
    /// `permission_error`: the caller is known but may not do this.
    Permission,
    /// `card_error`: the card was refused, at entry or at charge time.
    Card,
    /// `payment_error`: a well-formed payment could not go through (balance, limits).
    Payment,
    /// `rate_limit_error`: too many requests.
    RateLimit,
    /// `api_error`: a failure on OKPay's side.
    Api,
}

impl ErrorType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::InvalidRequest => "invalid_request_error",
            ErrorType::Authentication => "authentication_error",
            ErrorType::Permission => "permission_error",
            ErrorType::Card => "card_error",
            ErrorType::Payment => "payment_error",
            ErrorType::RateLimit => "rate_limit_error",
            ErrorType::Api => "api_error",
        }
    }
}

/// Human text of one code in one language.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// A short heading.
    pub title: &'static str,
    /// What happened, in one or two plain sentences.
    pub message: &'static str,
    /// The user's next step.
    pub what_to_do: &'static str,
}

/// Everything known about one code.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The code.
    pub code: Code,
    /// The HTTP status it is returned with.
    pub status: u16,
    /// The error `type` of the body.
    pub kind: ErrorType,
    /// English text.
    pub en: Text,
    /// Simplified Chinese text.
    pub zh: Text,
}

/// The supported languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The language tag: `"en"` or `"zh"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl Entry {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &Text {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

const fn t(title: &'static str, message: &'static str, what_to_do: &'static str) -> Text {
    Text { title, message, what_to_do }
}

/// Status, type, English and Chinese text of one code.
type Spec = (u16, ErrorType, Text, Text);

/// The entry of a code (an exhaustive `match` over [`Code`], so a new code fails to compile until it has text).
pub fn entry(code: Code) -> Entry {
    let (status, kind, en, zh) = match code {
        Code::InvalidJson => requests::INVALID_JSON,
        Code::ParameterMissing => requests::PARAMETER_MISSING,
        Code::ParameterInvalid => requests::PARAMETER_INVALID,
        Code::ParameterUnknown => requests::PARAMETER_UNKNOWN,
        Code::UnsupportedMediaType => requests::UNSUPPORTED_MEDIA_TYPE,
        Code::RequestTooLarge => requests::REQUEST_TOO_LARGE,
        Code::InvalidAmount => money::INVALID_AMOUNT,
        Code::InvalidCurrency => money::INVALID_CURRENCY,
        Code::InvalidEmail => identity::INVALID_EMAIL,
        Code::InvalidName => identity::INVALID_NAME,
        Code::InvalidAccountType => identity::INVALID_ACCOUNT_TYPE,
        Code::WeakPassword => identity::WEAK_PASSWORD,
        Code::InvalidCardNumber => money::INVALID_CARD_NUMBER,
        Code::InvalidExpiryDate => money::INVALID_EXPIRY_DATE,
        Code::ExpiredCard => money::EXPIRED_CARD,
        Code::InvalidCvc => money::INVALID_CVC,
        Code::InvalidAccountNumber => money::INVALID_ACCOUNT_NUMBER,
        Code::InvalidDateRange => requests::INVALID_DATE_RANGE,
        Code::IdempotencyKeyRequired => requests::IDEMPOTENCY_KEY_REQUIRED,
        Code::IdempotencyKeyInvalid => requests::IDEMPOTENCY_KEY_INVALID,
        Code::IdempotencyKeyReused => requests::IDEMPOTENCY_KEY_REUSED,
        Code::IdempotencyKeyInUse => requests::IDEMPOTENCY_KEY_IN_USE,
        Code::AuthenticationRequired => identity::AUTHENTICATION_REQUIRED,
        Code::InvalidCredentials => identity::INVALID_CREDENTIALS,
        Code::SessionExpired => identity::SESSION_EXPIRED,
        Code::PermissionDenied => identity::PERMISSION_DENIED,
        Code::AccountLocked => identity::ACCOUNT_LOCKED,
        Code::AccountFrozen => identity::ACCOUNT_FROZEN,
        Code::AccountClosed => identity::ACCOUNT_CLOSED,
        Code::EmailNotVerified => identity::EMAIL_NOT_VERIFIED,
        Code::OtpRequired => identity::OTP_REQUIRED,
        Code::OtpInvalid => identity::OTP_INVALID,
        Code::TotpAlreadyEnabled => identity::TOTP_ALREADY_ENABLED,
        Code::TotpNotEnabled => identity::TOTP_NOT_ENABLED,
        Code::AccountStatusConflict => identity::ACCOUNT_STATUS_CONFLICT,
        Code::TokenInvalid => identity::TOKEN_INVALID,
        Code::TokenExpired => identity::TOKEN_EXPIRED,
        Code::ResourceMissing => requests::RESOURCE_MISSING,
        Code::RouteNotFound => requests::ROUTE_NOT_FOUND,
        Code::MethodNotAllowed => requests::METHOD_NOT_ALLOWED,
        Code::PaymentMethodNotSupported => money::PAYMENT_METHOD_NOT_SUPPORTED,
        Code::RecipientNotFound => money::RECIPIENT_NOT_FOUND,
        Code::RecipientUnavailable => money::RECIPIENT_UNAVAILABLE,
        Code::TransferToSelf => money::TRANSFER_TO_SELF,
        Code::TermsNotAccepted => documents::TERMS_NOT_ACCEPTED,
        Code::ClosureBlocked => documents::CLOSURE_BLOCKED,
        Code::ClosureAlreadyRequested => documents::CLOSURE_ALREADY_REQUESTED,
        Code::ClosureNotPending => documents::CLOSURE_NOT_PENDING,
        Code::InsufficientFunds => money::INSUFFICIENT_FUNDS,
        Code::LimitExceeded => money::LIMIT_EXCEEDED,
        Code::AmountTooSmall => money::AMOUNT_TOO_SMALL,
        Code::CardDeclined => money::CARD_DECLINED,
        Code::IncorrectCvc => money::INCORRECT_CVC,
        Code::ProcessingError => money::PROCESSING_ERROR,
        Code::BankTransferFailed => money::BANK_TRANSFER_FAILED,
        Code::WithdrawalNotCancelable => money::WITHDRAWAL_NOT_CANCELABLE,
        Code::WithdrawalReturned => money::WITHDRAWAL_RETURNED,
        Code::InvalidWebhookUrl => money::INVALID_WEBHOOK_URL,
        Code::WebhookNotConfigured => money::WEBHOOK_NOT_CONFIGURED,
        Code::ApiKeyNotAllowed => money::API_KEY_NOT_ALLOWED,
        Code::ApiKeyRequired => money::API_KEY_REQUIRED,
        Code::RateLimited => requests::RATE_LIMITED,
        Code::ServiceBusy => requests::SERVICE_BUSY,
        Code::ApiError => requests::API_ERROR,
        Code::FileTooLarge => documents::FILE_TOO_LARGE,
        Code::UnsupportedFileType => documents::UNSUPPORTED_FILE_TYPE,
        Code::InvalidDocumentKind => documents::INVALID_DOCUMENT_KIND,
        Code::InvalidMultipart => requests::INVALID_MULTIPART,
        Code::DocumentAlreadyReviewed => documents::DOCUMENT_ALREADY_REVIEWED,
        Code::PaymentMethodNotAccepted => payments::PAYMENT_METHOD_NOT_ACCEPTED,
        Code::PaymentAlreadyCompleted => payments::PAYMENT_ALREADY_COMPLETED,
        Code::PaymentToSelf => payments::PAYMENT_TO_SELF,
        Code::RefundExceedsPayment => payments::REFUND_EXCEEDS_PAYMENT,
        Code::PaymentNotRefundable => payments::PAYMENT_NOT_REFUNDABLE,
    };
    Entry { code, status, kind, en, zh }
}

/// A sentence explaining a sub-reason (`AppError::reason`), to append to the message.
///
/// Covers the `weak_password` rules (`too_short`, `too_long`, `contains_email`, `contains_name`,
/// `common`, `guessable`) and the `invalid_amount` reasons (`must be greater than zero`,
/// `is larger than the maximum allowed`, `not_integer`, `not_a_number`) and the `invalid_webhook_url`
/// reasons (`url_*`). Unknown reasons give `None`.
pub fn reason_text(reason: &str, lang: Lang) -> Option<&'static str> {
    let (en, zh) = match reason {
        "too_short" => ("It must be at least 12 characters long.", "密码长度至少为 12 位。"),
        "too_long" => ("It must be no longer than 128 characters.", "密码长度不能超过 128 位。"),
        "contains_email" => ("It must not contain your email address.", "密码不能包含您的邮箱地址。"),
        "contains_name" => ("It must not contain your name.", "密码不能包含您的姓名。"),
        "common" => ("It is one of the most commonly used passwords.", "该密码是最常用的密码之一，很容易被猜到。"),
        "guessable" => (
            "It would be too easy to guess; try a longer password made of several unrelated words.",
            "该密码太容易被猜到，建议用几个互不相关的词组成更长的密码。",
        ),
        "must be greater than zero" => ("The amount must be greater than zero.", "金额必须大于零。"),
        "is larger than the maximum allowed" => {
            ("The amount is larger than the maximum allowed.", "金额超过了允许的最大值。")
        }
        "not_integer" => (
            "Amounts are whole numbers in the currency's smallest unit, for example 1050 for 10.50 USD; JPY has no \
            smaller unit.",
            "金额须为以该币种最小单位计的整数，例如 1050 表示 10.50 美元；日元没有更小的单位。",
        ),
        "not_a_number" => ("The amount must be a number.", "金额必须是数字。"),
        "url_malformed" => ("The webhook URL isn't a valid URL.", "Webhook 地址不是有效的网址。"),
        "url_not_http" => {
            ("Webhook URLs must start with http:// or https://.", "Webhook 地址必须以 http:// 或 https:// 开头。")
        }
        "url_has_credentials" => {
            ("The webhook URL must not contain a user name or password.", "Webhook 地址中不能包含用户名或密码。")
        }
        "url_too_long" => ("The webhook URL is longer than 2,048 characters.", "Webhook 地址超过了 2048 个字符。"),
        "url_unresolvable" => ("The webhook URL's host name could not be found.", "找不到 Webhook 地址中的主机名。"),
        "url_private_address" => (
            "The webhook URL points at a local or private network address, which OKPay doesn't send to.",
            "Webhook 地址指向本机或内网地址，OKPay 不会向此类地址发送事件。",
        ),
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Zh => zh,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_code_has_text_in_both_languages() {
        for &code in Code::ALL {
            let e = entry(code);
            assert_eq!(e.code, code);
            for lang in [Lang::En, Lang::Zh] {
                let text = e.text(lang);
                for field in [text.title, text.message, text.what_to_do] {
                    assert!(!field.trim().is_empty(), "{} has empty {} text", code.as_str(), lang.as_str());
                }
            }
            for field in [e.zh.title, e.zh.message, e.zh.what_to_do] {
                assert!(has_cjk(field), "{}: zh text without Chinese: {field}", code.as_str());
            }
            for field in [e.en.title, e.en.message, e.en.what_to_do] {
                assert!(!has_cjk(field), "{}: en text with Chinese: {field}", code.as_str());
            }
        }
    }

    #[test]
    fn statuses_are_errors_and_match_types() {
        for &code in Code::ALL {
            let e = entry(code);
            assert!((400..600).contains(&e.status), "{}: status {}", code.as_str(), e.status);
            match e.kind {
                ErrorType::Api => assert!(e.status >= 500, "{}", code.as_str()),
                ErrorType::Authentication => assert_eq!(e.status, 401, "{}", code.as_str()),
                ErrorType::Permission => assert_eq!(e.status, 403, "{}", code.as_str()),
                ErrorType::RateLimit => assert_eq!(e.status, 429, "{}", code.as_str()),
                ErrorType::Payment => assert_eq!(e.status, 402, "{}", code.as_str()),
                ErrorType::Card => assert!(e.status == 400 || e.status == 402, "{}", code.as_str()),
                ErrorType::InvalidRequest => assert!((400..500).contains(&e.status), "{}", code.as_str()),
            }
        }
    }

    #[test]
    fn contract_statuses() {
        let cases = [
            (Code::InsufficientFunds, 402, "payment_error"),
            (Code::InvalidCredentials, 401, "authentication_error"),
            (Code::AccountLocked, 403, "permission_error"),
            (Code::AccountFrozen, 403, "permission_error"),
            (Code::AccountClosed, 403, "permission_error"),
            (Code::PermissionDenied, 403, "permission_error"),
            (Code::ClosureBlocked, 409, "invalid_request_error"),
            (Code::ClosureAlreadyRequested, 409, "invalid_request_error"),
            (Code::TermsNotAccepted, 400, "invalid_request_error"),
            (Code::EmailNotVerified, 403, "permission_error"),
            (Code::OtpRequired, 401, "authentication_error"),
            (Code::OtpInvalid, 400, "invalid_request_error"),
            (Code::TokenInvalid, 400, "invalid_request_error"),
            (Code::TokenExpired, 400, "invalid_request_error"),
            (Code::CardDeclined, 402, "card_error"),
            (Code::IncorrectCvc, 402, "card_error"),
            (Code::ExpiredCard, 402, "card_error"),
            (Code::ProcessingError, 402, "card_error"),
            (Code::BankTransferFailed, 402, "payment_error"),
            (Code::InvalidCardNumber, 400, "card_error"),
            (Code::ResourceMissing, 404, "invalid_request_error"),
            (Code::IdempotencyKeyRequired, 400, "invalid_request_error"),
            (Code::IdempotencyKeyReused, 422, "invalid_request_error"),
            (Code::IdempotencyKeyInUse, 409, "invalid_request_error"),
            (Code::RequestTooLarge, 413, "invalid_request_error"),
            (Code::UnsupportedMediaType, 415, "invalid_request_error"),
            (Code::MethodNotAllowed, 405, "invalid_request_error"),
            (Code::RateLimited, 429, "rate_limit_error"),
            (Code::ServiceBusy, 503, "api_error"),
            (Code::ApiError, 500, "api_error"),
            (Code::FileTooLarge, 413, "invalid_request_error"),
            (Code::UnsupportedFileType, 415, "invalid_request_error"),
            (Code::InvalidDocumentKind, 400, "invalid_request_error"),
            (Code::DocumentAlreadyReviewed, 409, "invalid_request_error"),
            (Code::PaymentMethodNotAccepted, 402, "payment_error"),
            (Code::PaymentAlreadyCompleted, 409, "invalid_request_error"),
            (Code::RefundExceedsPayment, 400, "invalid_request_error"),
        ];
        for (code, status, kind) in cases {
            let e = entry(code);
            assert_eq!((e.status, e.kind.as_str()), (status, kind), "{}", code.as_str());
        }
    }

    #[test]
    fn reasons_have_text_in_both_languages() {
        let reasons = [
            "too_short",
            "too_long",
            "contains_email",
            "contains_name",
            "common",
            "guessable",
            "must be greater than zero",
            "is larger than the maximum allowed",
            "not_integer",
            "not_a_number",
            "url_malformed",
            "url_not_http",
            "url_has_credentials",
            "url_too_long",
            "url_unresolvable",
            "url_private_address",
        ];
        for reason in reasons {
            let en = reason_text(reason, Lang::En).unwrap_or_default();
            let zh = reason_text(reason, Lang::Zh).unwrap_or_default();
            assert!(!en.is_empty() && !has_cjk(en), "en text of {reason}");
            assert!(has_cjk(zh), "zh text of {reason}");
        }
        assert_eq!(reason_text("no_such_reason", Lang::En), None);
        assert_eq!(reason_text("no_such_reason", Lang::Zh), None);
    }

    #[test]
    fn lang_and_type_wire_values() {
        assert_eq!(Lang::En.as_str(), "en");
        assert_eq!(Lang::Zh.as_str(), "zh");
        assert_eq!(ErrorType::InvalidRequest.as_str(), "invalid_request_error");
        assert_eq!(ErrorType::RateLimit.as_str(), "rate_limit_error");
    }
}
