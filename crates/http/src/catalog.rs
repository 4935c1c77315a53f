//! The error catalog: for every stable [`Code`], its HTTP status, its error `type` and its human
//! text (title, message and what to do next) in English and Chinese.
//!
//! The HTTP layer builds every error body and every `/v1/help/errors/{code}` page from this one
//! table. [`entry`] is an exhaustive `match` over [`Code`], so adding a code does not compile until
//! it has an entry, and a test checks that every code in [`Code::ALL`] has non-empty text in both
//! languages. [`reason_text`] adds a sentence for an error's sub-reason (which password rule
//! failed, why an amount was refused).

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

/// The entry of a code (an exhaustive `match` over [`Code`], so a new code fails to compile until it has text).
pub fn entry(code: Code) -> Entry {
    use ErrorType::{Api, Authentication, Card, InvalidRequest, Payment, Permission, RateLimit};
    let (status, kind, en, zh) = match code {
        Code::InvalidJson => (
            400,
            InvalidRequest,
            t(
                "Invalid JSON",
                "The request body isn't valid JSON, so it couldn't be read.",
                "Check the body for mistakes such as missing quotes or trailing commas, and send it again as JSON.",
            ),
            t(
                "请求格式错误",
                "请求内容不是有效的 JSON，无法读取。",
                "请检查请求内容是否缺少引号、多了逗号等，修改后以 JSON 格式重新发送。",
            ),
        ),
        Code::ParameterMissing => (
            400,
            InvalidRequest,
            t(
                "Missing information",
                "A required field is missing from the request.",
                "Fill in the field named in the error's param and send the request again.",
            ),
            t("缺少必填信息", "请求中缺少必填的字段。", "请补充错误信息中 param 所指的字段后重新提交。"),
        ),
        Code::ParameterInvalid => (
            400,
            InvalidRequest,
            t(
                "Invalid value",
                "One of the values in the request isn't valid.",
                "Correct the field named in the error's param and try again.",
            ),
            t("填写内容有误", "请求中有一项内容的取值不正确。", "请修改错误信息中 param 所指的字段后重试。"),
        ),
        Code::ParameterUnknown => (
            400,
            InvalidRequest,
            t(
                "Unknown field",
                "The request contains a field that this endpoint doesn't accept.",
                "Remove the field named in the error's param, or check its spelling in the API reference.",
            ),
            t(
                "不支持的字段",
                "请求中包含此接口不接受的字段。",
                "请删除错误信息中 param 所指的字段，或对照 API 文档核对字段名称。",
            ),
        ),
        Code::UnsupportedMediaType => (
            415,
            InvalidRequest,
            t(
                "Unsupported content type",
                "This endpoint only accepts request bodies in JSON.",
                "Send the body as JSON with the header Content-Type: application/json.",
            ),
            t(
                "不支持的内容类型",
                "此接口只接受 JSON 格式的请求内容。",
                "请以 JSON 格式发送，并设置请求头 Content-Type: application/json。",
            ),
        ),
        Code::RequestTooLarge => (
            413,
            InvalidRequest,
            t(
                "Request too large",
                "The request is larger than we can accept.",
                "Send less data at once; for files, make them smaller and upload them one at a time.",
            ),
            t("请求内容过大", "请求内容超过了允许的大小。", "请减少单次提交的内容；如需上传文件，请压缩后逐个上传。"),
        ),
        Code::InvalidAmount => (
            400,
            InvalidRequest,
            t(
                "Invalid amount",
                "The amount isn't valid.",
                "Enter a whole number greater than zero in the currency's smallest unit, for example 1050 for 10.50 \
                USD.",
            ),
            t(
                "金额无效",
                "输入的金额不正确。",
                "请输入大于零的整数，单位为该币种的最小单位，例如 1050 表示 10.50 美元。",
            ),
        ),
        Code::InvalidCurrency => (
            400,
            InvalidRequest,
            t(
                "Unsupported currency",
                "We don't support this currency, or the currency code wasn't recognised.",
                "Use a lowercase three-letter currency code such as usd, eur, cny or jpy.",
            ),
            t(
                "暂不支持该币种",
                "暂不支持该币种，或无法识别币种代码。",
                "请使用小写的三位币种代码，例如 usd、eur、cny 或 jpy。",
            ),
        ),
        Code::InvalidEmail => (
            400,
            InvalidRequest,
            t(
                "Invalid email address",
                "This email address doesn't look right.",
                "Check it for typos and enter a full address such as name@example.com.",
            ),
            t("邮箱地址无效", "邮箱地址格式不正确。", "请检查是否输错，并填写完整的邮箱地址，例如 name@example.com。"),
        ),
        Code::InvalidName => (
            400,
            InvalidRequest,
            t(
                "Invalid name",
                "The name is empty, too long, or contains characters we can't accept.",
                "Enter your name as it appears on your ID, without special symbols.",
            ),
            t("姓名无效", "姓名为空、过长或包含无法使用的字符。", "请按证件上的姓名填写，不要使用特殊符号。"),
        ),
        Code::InvalidAccountType => (
            400,
            InvalidRequest,
            t(
                "Invalid account type",
                "The account type must be either personal or business.",
                "Choose personal for your own use, or business if you want to accept payments as a merchant.",
            ),
            t(
                "账户类型无效",
                "账户类型只能是个人（personal）或企业（business）。",
                "个人使用请选择 personal；如需作为商家收款，请选择 business。",
            ),
        ),
        Code::WeakPassword => (
            400,
            InvalidRequest,
            t(
                "Password not strong enough",
                "This password would be too easy to guess or doesn't meet our password rules.",
                "Choose a password of 12 to 128 characters that doesn't include your name or email; a few unrelated \
                words together work well.",
            ),
            t(
                "密码强度不足",
                "该密码容易被猜到，或不符合密码规则。",
                "请设置 12 至 128 位的密码，不要包含姓名或邮箱；用几个互不相关的词组合起来是不错的选择。",
            ),
        ),
        Code::InvalidCardNumber => (
            400,
            Card,
            t(
                "Invalid card number",
                "This card number isn't valid.",
                "Check the number on your card and enter it again.",
            ),
            t("卡号无效", "该银行卡号无效。", "请核对卡面上的卡号后重新输入。"),
        ),
        Code::InvalidExpiryDate => (
            400,
            Card,
            t(
                "Invalid expiry date",
                "The expiry date isn't a valid month and year.",
                "Enter the month (1 to 12) and the four-digit year shown on your card.",
            ),
            t("有效期无效", "填写的有效期不是正确的月份和年份。", "请按卡面所示填写月份（1 至 12）和四位数年份。"),
        ),
        Code::ExpiredCard => (
            402,
            Card,
            t("Card expired", "This card has expired.", "Use another card, or add the new card your bank sent you."),
            t("银行卡已过期", "该银行卡已超过有效期。", "请换一张银行卡，或添加发卡行为您换发的新卡。"),
        ),
        Code::InvalidCvc => (
            400,
            Card,
            t(
                "Invalid security code",
                "The security code (CVC) isn't in the right format.",
                "Enter the 3-digit code on the back of your card, or the 4-digit code on the front of an American \
                Express card.",
            ),
            t(
                "安全码格式不正确",
                "安全码（CVC）的格式不正确。",
                "请输入卡背面的 3 位安全码；美国运通卡为卡正面的 4 位数字。",
            ),
        ),
        Code::InvalidAccountNumber => (
            400,
            InvalidRequest,
            t(
                "Invalid bank account number",
                "This bank account number isn't valid.",
                "Check the number against your bank statement or banking app and enter it again.",
            ),
            t("银行账号无效", "该银行账号无效。", "请对照银行对账单或手机银行核对账号后重新输入。"),
        ),
        Code::InvalidDateRange => (
            400,
            InvalidRequest,
            t(
                "Invalid date range",
                "The start date is after the end date, or a date isn't in a format we recognise.",
                "Use dates such as 2024-01-31 (or full RFC 3339 times) and make sure the start is not after the end.",
            ),
            t(
                "日期范围无效",
                "开始日期晚于结束日期，或日期格式无法识别。",
                "请使用 2024-01-31 这样的日期（或完整的 RFC 3339 时间），并确保开始日期不晚于结束日期。",
            ),
        ),
        Code::IdempotencyKeyRequired => (
            400,
            InvalidRequest,
            t(
                "Idempotency key required",
                "Requests that move money must include an Idempotency-Key header.",
                "Add an Idempotency-Key header with a new unique value, such as a UUID, and reuse it only to retry the \
                same request.",
            ),
            t(
                "缺少幂等键",
                "涉及资金变动的请求必须带有 Idempotency-Key 请求头。",
                "请添加 Idempotency-Key 请求头并使用新的唯一值（例如 UUID），仅在重试同一请求时复用。",
            ),
        ),
        Code::IdempotencyKeyInvalid => (
            400,
            InvalidRequest,
            t(
                "Invalid idempotency key",
                "The Idempotency-Key header must be 1 to 255 characters long.",
                "Use a unique value of 1 to 255 characters, such as a UUID.",
            ),
            t(
                "幂等键无效",
                "Idempotency-Key 请求头的长度须为 1 至 255 个字符。",
                "请使用 1 至 255 个字符的唯一值，例如 UUID。",
            ),
        ),
        Code::IdempotencyKeyReused => (
            422,
            InvalidRequest,
            t(
                "Idempotency key already used",
                "This Idempotency-Key was already used for a different request.",
                "Use a new key for a new request; reuse a key only to retry exactly the same request.",
            ),
            t(
                "幂等键已被使用",
                "该 Idempotency-Key 已用于另一笔内容不同的请求。",
                "新的请求请使用新的幂等键；只有重试完全相同的请求时才能复用。",
            ),
        ),
        Code::IdempotencyKeyInUse => (
            409,
            InvalidRequest,
            t(
                "Request still in progress",
                "A request with this Idempotency-Key is still being processed.",
                "Wait a moment and retry with the same key; you will get the result of the first request.",
            ),
            t(
                "请求正在处理中",
                "使用该 Idempotency-Key 的请求仍在处理中。",
                "请稍候片刻，再用相同的幂等键重试，届时会返回第一次请求的结果。",
            ),
        ),
        Code::AuthenticationRequired => (
            401,
            Authentication,
            t(
                "Sign-in required",
                "You need to be signed in to do this.",
                "Sign in and try again. API clients must send an Authorization: Bearer header with a session token or \
                secret key.",
            ),
            t(
                "请先登录",
                "此操作需要登录后才能进行。",
                "请登录后重试。通过 API 调用时，请在 Authorization 请求头中以 Bearer 方式携带登录令牌或密钥。",
            ),
        ),
        Code::InvalidCredentials => (
            401,
            Authentication,
            t(
                "Incorrect email or password",
                "The email or password you entered is incorrect.",
                "Check both and try again, or reset your password if you've forgotten it. After 5 failed attempts, \
                sign-in is locked for 15 minutes.",
            ),
            t(
                "邮箱或密码错误",
                "您输入的邮箱或密码不正确。",
                "请核对后重试；如忘记密码，可通过“忘记密码”重置。连续输错 5 次将锁定登录 15 分钟。",
            ),
        ),
        Code::SessionExpired => (
            401,
            Authentication,
            t(
                "Session expired",
                "You've been signed out because your session expired or was ended.",
                "Sign in again to continue.",
            ),
            t("登录已失效", "由于登录超时或已在其他地方退出，您已退出登录。", "请重新登录后继续操作。"),
        ),
        Code::PermissionDenied => (
            403,
            Permission,
            t(
                "Not allowed",
                "Your account doesn't have permission to do this.",
                "Merchant features such as API keys need a business account. If you think you should have access, \
                contact support.",
            ),
            t(
                "无权操作",
                "您的账户没有进行此操作的权限。",
                "API 密钥等商家功能需要企业账户。如您认为应有此权限，请联系客服。",
            ),
        ),
        Code::AccountLocked => (
            403,
            Permission,
            t(
                "Account temporarily locked",
                "Your account has been locked for 15 minutes after too many failed sign-in attempts.",
                "Use the unlock link we emailed you or reset your password; you can also wait 15 minutes and try \
                again.",
            ),
            t(
                "账户已暂时锁定",
                "由于多次登录失败，您的账户已被锁定 15 分钟。",
                "请点击我们发到您邮箱的解锁链接，或重置密码；也可以等待 15 分钟后再试。",
            ),
        ),
        Code::AccountFrozen => (
            403,
            Permission,
            t(
                "Account frozen",
                "Your account has been frozen to keep it safe, so it can't be used for now.",
                "Read the email we sent you about the reason and contact support; you may be asked to verify your \
                identity.",
            ),
            t(
                "账户已冻结",
                "为保障账户安全，您的账户已被冻结，暂时无法使用。",
                "请查看我们发送的说明邮件并联系客服，可能需要您提交身份证明进行核验。",
            ),
        ),
        Code::AccountClosed => (
            403,
            Permission,
            t(
                "Account closed",
                "This account has been closed and can no longer be used.",
                "Create a new account if you want to use OKPay again, or contact support with any questions about the \
                closed account.",
            ),
            t(
                "账户已注销",
                "该账户已注销，无法再使用。",
                "如需继续使用 OKPay，请重新注册；对已注销的账户有疑问，请联系客服。",
            ),
        ),
        Code::EmailNotVerified => (
            403,
            Permission,
            t(
                "Email not verified",
                "You need to verify your email address before you can move money.",
                "Click the verification link we emailed you. If you can't find the email, check your spam folder.",
            ),
            t(
                "邮箱尚未验证",
                "完成邮箱验证后才能进行资金操作。",
                "请点击我们发到您邮箱的验证链接；如未收到，请查看垃圾邮件文件夹。",
            ),
        ),
        Code::OtpRequired => (
            401,
            Authentication,
            t(
                "Two-factor code required",
                "Your account is protected by two-step verification, so signing in needs a code as well as the \
                password.",
                "Enter the 6-digit code from your authenticator app. If you lost the device, enter one of your \
                recovery codes instead.",
            ),
            t(
                "需要两步验证码",
                "您的账户已开启两步验证，登录时除密码外还需要验证码。",
                "请输入身份验证器应用中的 6 位验证码；如果设备丢失，请改为输入一个恢复码。",
            ),
        ),
        Code::OtpInvalid => (
            400,
            InvalidRequest,
            t(
                "Wrong two-factor code",
                "The code is wrong, has expired or was already used.",
                "Check that your phone's clock is set automatically, wait for the next code in your authenticator \
                app and enter it, or use one of your recovery codes.",
            ),
            t(
                "两步验证码错误",
                "验证码错误、已过期或已被使用。",
                "请确认手机时间为自动设置，等待身份验证器显示下一个验证码后输入，或使用一个恢复码。",
            ),
        ),
        Code::TotpAlreadyEnabled => (
            409,
            InvalidRequest,
            t(
                "Two-step verification is already on",
                "Your account already has two-step verification turned on.",
                "To move it to a new device, turn it off with a current code, then set it up again.",
            ),
            t(
                "两步验证已开启",
                "您的账户已经开启了两步验证。",
                "如需更换设备，请先用当前验证码关闭两步验证，再重新设置。",
            ),
        ),
        Code::TotpNotEnabled => (
            409,
            InvalidRequest,
            t(
                "Two-step verification is not set up",
                "There is no two-step verification set-up to confirm or turn off.",
                "Start the set-up first (Security settings → Two-step verification), then confirm it with a code.",
            ),
            t(
                "尚未设置两步验证",
                "没有可确认或关闭的两步验证设置。",
                "请先在“安全设置 → 两步验证”中开始设置，再用验证码确认。",
            ),
        ),
        Code::AccountStatusConflict => (
            409,
            InvalidRequest,
            t(
                "The account's status doesn't allow this",
                "This change doesn't apply to the account in its current status: for example, unfreezing an \
                account that isn't frozen, or unlocking one that isn't locked.",
                "Look up the account's current status and choose the action that matches it.",
            ),
            t(
                "账户当前状态不允许此操作",
                "此操作不适用于账户的当前状态，例如解冻一个未被冻结的账户，或解锁一个未被锁定的账户。",
                "请先查看账户的当前状态，再选择与之相符的操作。",
            ),
        ),
        Code::TokenInvalid => (
            400,
            InvalidRequest,
            t(
                "Link not valid",
                "This link doesn't work: it was already used, replaced by a newer one, or copied incompletely.",
                "Open the most recent email we sent you and use its link, or ask for a new one (for example with \
                \"Forgot password\").",
            ),
            t(
                "链接无效",
                "该链接无法使用：可能已被使用过、已被更新的链接取代，或复制不完整。",
                "请打开我们最近发给您的邮件并使用其中的链接，或重新申请一个新链接（例如通过“忘记密码”）。",
            ),
        ),
        Code::TokenExpired => (
            400,
            InvalidRequest,
            t(
                "Link expired",
                "This link has expired. For your security, emailed links only work for a limited time.",
                "Ask for a new link: sign up again with the same address for a new verification email, or use \
                \"Forgot password\" for a new reset link.",
            ),
            t(
                "链接已过期",
                "该链接已过期。为保障安全，邮件中的链接只在有限时间内有效。",
                "请重新获取链接：用同一邮箱再次注册可收到新的验证邮件，或通过“忘记密码”获取新的重置链接。",
            ),
        ),
        Code::ResourceMissing => (
            404,
            InvalidRequest,
            t(
                "Not found",
                "We couldn't find what you asked for.",
                "Check that the ID is correct and belongs to your account.",
            ),
            t("未找到相关记录", "未找到您要查询的内容。", "请检查 ID 是否正确，以及是否属于您的账户。"),
        ),
        Code::RouteNotFound => (
            404,
            InvalidRequest,
            t(
                "Unknown address",
                "There is no API endpoint at this address.",
                "Check the path against the API reference; every path starts with /v1.",
            ),
            t("接口不存在", "该地址下没有对应的 API 接口。", "请对照 API 文档检查请求路径，所有路径均以 /v1 开头。"),
        ),
        Code::MethodNotAllowed => (
            405,
            InvalidRequest,
            t(
                "Method not allowed",
                "This endpoint doesn't support the HTTP method you used.",
                "Check the API reference for the methods this path accepts, such as GET or POST.",
            ),
            t(
                "不支持该请求方法",
                "此接口不支持当前使用的 HTTP 方法。",
                "请查阅 API 文档，确认该路径支持的请求方法（如 GET 或 POST）。",
            ),
        ),
        Code::PaymentMethodNotSupported => (
            400,
            InvalidRequest,
            t(
                "Payment method not supported",
                "This payment method can't be used for this operation.",
                "Choose another payment method, or add one that supports this operation.",
            ),
            t(
                "不支持该支付方式",
                "该支付方式不能用于此项操作。",
                "请选择其他支付方式，或添加一个支持此操作的支付方式。",
            ),
        ),
        Code::RecipientNotFound => (
            404,
            InvalidRequest,
            t(
                "Recipient not found",
                "We couldn't find an OKPay account with that email or ID.",
                "Check the recipient's email address or user ID, or ask them to sign up for OKPay first.",
            ),
            t(
                "收款人不存在",
                "未找到该邮箱或 ID 对应的 OKPay 账户。",
                "请核对收款人的邮箱或用户 ID，或请对方先注册 OKPay。",
            ),
        ),
        Code::RecipientUnavailable => (
            409,
            InvalidRequest,
            t(
                "Recipient can't receive money",
                "The recipient's account can't receive money right now. Nothing was taken from your balance.",
                "Ask the recipient to check their account, or try again later.",
            ),
            t(
                "对方暂时无法收款",
                "对方账户目前无法接收款项，您的余额未被扣除。",
                "请联系对方检查账户状态，或稍后再试。",
            ),
        ),
        Code::TransferToSelf => (
            400,
            InvalidRequest,
            t(
                "Can't send money to yourself",
                "You can't send money to your own account.",
                "Enter another person's email address or user ID.",
            ),
            t("不能转账给自己", "不能向自己的账户转账。", "请填写其他收款人的邮箱或用户 ID。"),
        ),
        Code::TermsNotAccepted => (
            400,
            InvalidRequest,
            t(
                "Terms not accepted",
                "Closing an account needs you to accept the closure terms.",
                "Read the terms on closing an account, then send the request again with accept_terms set to true.",
            ),
            t(
                "未同意注销条款",
                "注销账户前需要您同意账户注销条款。",
                "请阅读账户注销条款，并将 accept_terms 设为 true 后重新提交。",
            ),
        ),
        Code::ClosureBlocked => (
            409,
            InvalidRequest,
            t(
                "Account can't be closed yet",
                "Your account still holds money or has transactions in progress. The error's blockers list each \
                one.",
                "Move every balance to zero (transfer or withdraw it) and wait for pending transactions to finish, \
                then ask again.",
            ),
            t(
                "账户暂时无法注销",
                "您的账户仍有余额或处理中的交易，错误信息中的 blockers 列出了每一项。",
                "请先将各币种余额转出或提现至零，并等待处理中的交易完成后再申请注销。",
            ),
        ),
        Code::ClosureAlreadyRequested => (
            409,
            InvalidRequest,
            t(
                "Closure already requested",
                "You already asked to close your account, and that request is still being reviewed.",
                "Wait for our email about the first request; you can see its status in your closure requests.",
            ),
            t(
                "已提交注销申请",
                "您已提交过账户注销申请，目前仍在审核中。",
                "请等待我们关于该申请的邮件通知，也可以在注销申请列表中查看进度。",
            ),
        ),
        Code::ClosureNotPending => (
            409,
            InvalidRequest,
            t(
                "Request already decided",
                "This closure request has already been approved or rejected.",
                "Reload the request to see its decision; a new request is needed to review the account again.",
            ),
            t("申请已处理", "该注销申请已被批准或拒绝。", "请刷新查看处理结果；如需再次审核，需要用户重新提交申请。"),
        ),
        Code::InsufficientFunds => (
            402,
            Payment,
            t(
                "Insufficient balance",
                "Your balance in this currency isn't enough to cover this amount, including any fees.",
                "Add money to your wallet or send a smaller amount.",
            ),
            t("余额不足", "您该币种的余额不足以支付本次金额（含手续费）。", "请先充值，或减少金额后再试。"),
        ),
        Code::LimitExceeded => (
            402,
            Payment,
            t(
                "Limit reached",
                "This would take you over your daily limit for this type of transaction.",
                "Try a smaller amount or wait until tomorrow. Verifying your identity raises your limits.",
            ),
            t("超出限额", "本次操作将超出您该类交易的每日限额。", "请减少金额或明天再试；完成实名认证可提高限额。"),
        ),
        Code::AmountTooSmall => (
            400,
            InvalidRequest,
            t(
                "Amount too small",
                "The amount is below the minimum for this operation.",
                "Enter a larger amount and try again.",
            ),
            t("金额过低", "金额低于本项操作的最低金额。", "请提高金额后重试。"),
        ),
        Code::CardDeclined => (
            402,
            Card,
            t(
                "Card declined",
                "Your card issuer declined this payment.",
                "Contact your card issuer to find out why, or use another card.",
            ),
            t("银行卡被拒绝", "发卡行拒绝了本次交易。", "请联系发卡行了解原因，或换一张银行卡支付。"),
        ),
        Code::IncorrectCvc => (
            402,
            Card,
            t(
                "Incorrect security code",
                "The security code (CVC) doesn't match this card.",
                "Check the code on the back of your card and try again, or use another card.",
            ),
            t("安全码错误", "安全码（CVC）与该银行卡不符。", "请核对卡背面的安全码后重试，或换一张银行卡。"),
        ),
        Code::BankTransferFailed => (
            402,
            Payment,
            t(
                "Bank transfer failed",
                "Your bank returned the transfer, so no money was added to your wallet.",
                "Check with your bank that the account can send this amount, then try again or use another account.",
            ),
            t(
                "银行转账失败",
                "您的银行退回了这笔转账，钱包未入账。",
                "请向银行确认该账户可以转出这笔金额，然后重试或改用其他账户。",
            ),
        ),
        Code::ProcessingError => (
            402,
            Card,
            t(
                "Card processing error",
                "Something went wrong while processing your card, so the payment didn't go through.",
                "Try again in a few minutes with the same Idempotency-Key. It's safe: you won't be charged twice.",
            ),
            t(
                "银行卡处理失败",
                "处理银行卡时出现问题，本次支付未成功。",
                "请几分钟后使用相同的 Idempotency-Key 重试，不会重复扣款，请放心。",
            ),
        ),
        Code::InvalidWebhookUrl => (
            400,
            InvalidRequest,
            t(
                "Webhook URL not accepted",
                "OKPay can't send events to this webhook URL.",
                "Use an http:// or https:// address of a server reachable from the internet (not a local or \
                private network address), without a user name or password in it.",
            ),
            t(
                "Webhook 地址无效",
                "OKPay 无法向该 Webhook 地址发送事件。",
                "请使用可从互联网访问的服务器的 http:// 或 https:// 地址（不能是本机或内网地址），且地址中不要包含用户名或密码。",
            ),
        ),
        Code::WebhookNotConfigured => (
            409,
            InvalidRequest,
            t(
                "No webhook URL",
                "This merchant account has no webhook URL, so there is nowhere to send the event.",
                "Set a webhook URL with PATCH /v1/merchant, then try again.",
            ),
            t(
                "未设置 Webhook 地址",
                "该商家账户尚未设置 Webhook 地址，事件无处发送。",
                "请先通过 PATCH /v1/merchant 设置 Webhook 地址，然后重试。",
            ),
        ),
        Code::ApiKeyNotAllowed => (
            403,
            Permission,
            t(
                "API keys can't be used here",
                "This request needs a signed-in user; an API key can't be used for it.",
                "Sign in with your email and password and send the request with the session token instead.",
            ),
            t(
                "此处不能使用 API 密钥",
                "此请求需要用户登录后操作，不能使用 API 密钥。",
                "请用邮箱和密码登录，并使用登录会话的令牌发送此请求。",
            ),
        ),
        Code::ApiKeyRequired => (
            401,
            Authentication,
            t(
                "API key required",
                "This request must be made with a merchant API key, not a signed-in session.",
                "Send the request from your server with Authorization: Bearer sk_... (create a key with POST \
                /v1/api-keys).",
            ),
            t(
                "需要 API 密钥",
                "此请求必须使用商家 API 密钥发送，不能使用登录会话。",
                "请从您的服务器发送请求，并带上 Authorization: Bearer sk_...（可通过 POST /v1/api-keys 创建密钥）。",
            ),
        ),
        Code::RateLimited => (
            429,
            RateLimit,
            t(
                "Too many requests",
                "Too many requests were sent in a short time.",
                "Wait the number of seconds given in the Retry-After header, then try again; retrying with the same \
                Idempotency-Key is safe.",
            ),
            t(
                "操作过于频繁",
                "短时间内的请求次数过多。",
                "请按 Retry-After 响应头中的秒数等待后重试；使用相同的幂等键重试是安全的。",
            ),
        ),
        Code::ServiceBusy => (
            503,
            Api,
            t(
                "Service busy",
                "OKPay is handling an unusually large number of requests right now.",
                "Wait a few seconds (see the Retry-After header) and try again with the same Idempotency-Key; you \
                won't be charged twice.",
            ),
            t(
                "系统繁忙",
                "当前访问人数较多，系统暂时繁忙。",
                "请等待几秒（见 Retry-After 响应头）后使用相同的幂等键重试，不会重复扣款。",
            ),
        ),
        Code::ApiError => (
            500,
            Api,
            t(
                "Something went wrong",
                "Something went wrong on our side.",
                "Try again with the same Idempotency-Key. If it keeps happening, contact support and quote the request \
                ID.",
            ),
            t(
                "系统异常",
                "我们的系统出现了问题。",
                "请使用相同的 Idempotency-Key 重试；如问题持续出现，请联系客服并提供请求编号（request ID）。",
            ),
        ),
        Code::FileTooLarge => (
            413,
            InvalidRequest,
            t(
                "File too large",
                "The file is larger than the size accepted for identity documents (10 MB unless configured otherwise).",
                "Upload a smaller file: scan at a lower resolution, or save the photo as JPEG, then try again.",
            ),
            t(
                "文件过大",
                "文件超过了身份证件允许的大小上限（默认为 10 MB）。",
                "请上传较小的文件：降低扫描分辨率，或将照片保存为 JPEG 格式后重试。",
            ),
        ),
        Code::UnsupportedFileType => (
            415,
            InvalidRequest,
            t(
                "Unsupported file type",
                "The file isn't a JPEG, PNG or PDF. We check what the file contains, not its name.",
                "Upload a photo (JPEG or PNG) or a PDF scan of the document. Renaming a file doesn't change its type.",
            ),
            t(
                "不支持的文件类型",
                "该文件不是 JPEG、PNG 或 PDF 格式。我们根据文件内容判断类型，而不是文件名。",
                "请上传证件的照片（JPEG 或 PNG）或 PDF 扫描件。仅修改文件扩展名不会改变文件类型。",
            ),
        ),
        Code::InvalidDocumentKind => (
            400,
            InvalidRequest,
            t(
                "Invalid document kind",
                "The document kind must be passport, id_card or proof_of_address.",
                "Choose the kind that matches the document you are uploading and send it in the kind field.",
            ),
            t(
                "证件类型无效",
                "证件类型必须是 passport（护照）、id_card（身份证）或 proof_of_address（地址证明）之一。",
                "请在 kind 字段中选择与所上传证件相符的类型。",
            ),
        ),
        Code::InvalidMultipart => (
            400,
            InvalidRequest,
            t(
                "Unreadable upload",
                "The upload isn't a well-formed multipart/form-data body, so it couldn't be read.",
                "Send the file as multipart/form-data with a kind field and a file field; most HTTP clients do this for \
                you when you attach a file.",
            ),
            t(
                "上传内容无法读取",
                "上传内容不是格式正确的 multipart/form-data 请求，无法读取。",
                "请以 multipart/form-data 格式上传，包含 kind 字段和 file 字段；大多数 HTTP 客户端在附加文件时会自动处理。",
            ),
        ),
        Code::DocumentAlreadyReviewed => (
            409,
            InvalidRequest,
            t(
                "Document already reviewed",
                "This identity document has already been approved or rejected.",
                "Reload the document to see its decision. A new decision needs a new upload from the customer.",
            ),
            t("证件已审核", "该身份证件已经被批准或拒绝。", "请刷新查看审核结果；如需重新审核，需要客户重新上传证件。"),
        ),
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
