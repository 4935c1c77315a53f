//! Errors of identity and account security: sign-up input, passwords, sessions, two-step verification, emailed links and account status.

use super::ErrorType::{Authentication, InvalidRequest, Permission};
use super::{Spec, t};

/// `invalid_email`
pub(super) const INVALID_EMAIL: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid email address",
        "This email address doesn't look right.",
        "Check it for typos and enter a full address such as name@example.com.",
    ),
    t("邮箱地址无效", "邮箱地址格式不正确。", "请检查是否输错，并填写完整的邮箱地址，例如 name@example.com。"),
);

/// `invalid_name`
pub(super) const INVALID_NAME: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid name",
        "The name is empty, too long, or contains characters we can't accept.",
        "Enter your name as it appears on your ID, without special symbols.",
    ),
    t("姓名无效", "姓名为空、过长或包含无法使用的字符。", "请按证件上的姓名填写，不要使用特殊符号。"),
);

/// `invalid_account_type`
pub(super) const INVALID_ACCOUNT_TYPE: Spec = (
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
);

/// `weak_password`
pub(super) const WEAK_PASSWORD: Spec = (
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
);

/// `authentication_required`
pub(super) const AUTHENTICATION_REQUIRED: Spec = (
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
);

/// `invalid_credentials`
pub(super) const INVALID_CREDENTIALS: Spec = (
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
);

/// `session_expired`
pub(super) const SESSION_EXPIRED: Spec = (
    401,
    Authentication,
    t(
        "Session expired",
        "You've been signed out because your session expired or was ended.",
        "Sign in again to continue.",
    ),
    t("登录已失效", "由于登录超时或已在其他地方退出，您已退出登录。", "请重新登录后继续操作。"),
);

/// `permission_denied`
pub(super) const PERMISSION_DENIED: Spec = (
    403,
    Permission,
    t(
        "Not allowed",
        "Your account doesn't have permission to do this.",
        "Merchant features such as API keys need a business account. If you think you should have access, \
            contact support.",
    ),
    t("无权操作", "您的账户没有进行此操作的权限。", "API 密钥等商家功能需要企业账户。如您认为应有此权限，请联系客服。"),
);

/// `account_locked`
pub(super) const ACCOUNT_LOCKED: Spec = (
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
);

/// `account_frozen`
pub(super) const ACCOUNT_FROZEN: Spec = (
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
);

/// `account_closed`
pub(super) const ACCOUNT_CLOSED: Spec = (
    403,
    Permission,
    t(
        "Account closed",
        "This account has been closed and can no longer be used.",
        "Create a new account if you want to use OKPay again, or contact support with any questions about the \
            closed account.",
    ),
    t("账户已注销", "该账户已注销，无法再使用。", "如需继续使用 OKPay，请重新注册；对已注销的账户有疑问，请联系客服。"),
);

/// `email_not_verified`
pub(super) const EMAIL_NOT_VERIFIED: Spec = (
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
);

/// `otp_required`
pub(super) const OTP_REQUIRED: Spec = (
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
);

/// `otp_invalid`
pub(super) const OTP_INVALID: Spec = (
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
);

/// `totp_already_enabled`
pub(super) const TOTP_ALREADY_ENABLED: Spec = (
    409,
    InvalidRequest,
    t(
        "Two-step verification is already on",
        "Your account already has two-step verification turned on.",
        "To move it to a new device, turn it off with a current code, then set it up again.",
    ),
    t("两步验证已开启", "您的账户已经开启了两步验证。", "如需更换设备，请先用当前验证码关闭两步验证，再重新设置。"),
);

/// `totp_not_enabled`
pub(super) const TOTP_NOT_ENABLED: Spec = (
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
);

/// `account_status_conflict`
pub(super) const ACCOUNT_STATUS_CONFLICT: Spec = (
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
);

/// `token_invalid`
pub(super) const TOKEN_INVALID: Spec = (
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
);

/// `token_expired`
pub(super) const TOKEN_EXPIRED: Spec = (
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
);
