//! Errors of moving money: amounts, currencies, cards, bank accounts, transfers, limits, merchants' keys and webhooks.

use super::ErrorType::{Authentication, Card, InvalidRequest, Payment, Permission};
use super::{Spec, t};

/// `invalid_amount`
pub(super) const INVALID_AMOUNT: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid amount",
        "The amount isn't valid.",
        "Enter a whole number greater than zero in the currency's smallest unit, for example 1050 for 10.50 \
            USD.",
    ),
    t("金额无效", "输入的金额不正确。", "请输入大于零的整数，单位为该币种的最小单位，例如 1050 表示 10.50 美元。"),
);

/// `invalid_currency`
pub(super) const INVALID_CURRENCY: Spec = (
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
);

/// `invalid_card_number`
pub(super) const INVALID_CARD_NUMBER: Spec = (
    400,
    Card,
    t("Invalid card number", "This card number isn't valid.", "Check the number on your card and enter it again."),
    t("卡号无效", "该银行卡号无效。", "请核对卡面上的卡号后重新输入。"),
);

/// `invalid_expiry_date`
pub(super) const INVALID_EXPIRY_DATE: Spec = (
    400,
    Card,
    t(
        "Invalid expiry date",
        "The expiry date isn't a valid month and year.",
        "Enter the month (1 to 12) and the four-digit year shown on your card.",
    ),
    t("有效期无效", "填写的有效期不是正确的月份和年份。", "请按卡面所示填写月份（1 至 12）和四位数年份。"),
);

/// `expired_card`
pub(super) const EXPIRED_CARD: Spec = (
    402,
    Card,
    t("Card expired", "This card has expired.", "Use another card, or add the new card your bank sent you."),
    t("银行卡已过期", "该银行卡已超过有效期。", "请换一张银行卡，或添加发卡行为您换发的新卡。"),
);

/// `invalid_cvc`
pub(super) const INVALID_CVC: Spec = (
    400,
    Card,
    t(
        "Invalid security code",
        "The security code (CVC) isn't in the right format.",
        "Enter the 3-digit code on the back of your card, or the 4-digit code on the front of an American \
            Express card.",
    ),
    t("安全码格式不正确", "安全码（CVC）的格式不正确。", "请输入卡背面的 3 位安全码；美国运通卡为卡正面的 4 位数字。"),
);

/// `invalid_account_number`
pub(super) const INVALID_ACCOUNT_NUMBER: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid bank account number",
        "This bank account number isn't valid.",
        "Check the number against your bank statement or banking app and enter it again.",
    ),
    t("银行账号无效", "该银行账号无效。", "请对照银行对账单或手机银行核对账号后重新输入。"),
);

/// `payment_method_not_supported`
pub(super) const PAYMENT_METHOD_NOT_SUPPORTED: Spec = (
    400,
    InvalidRequest,
    t(
        "Payment method not supported",
        "This payment method can't be used for this operation.",
        "Choose another payment method, or add one that supports this operation.",
    ),
    t("不支持该支付方式", "该支付方式不能用于此项操作。", "请选择其他支付方式，或添加一个支持此操作的支付方式。"),
);

/// `withdrawal_not_cancelable`
pub(super) const WITHDRAWAL_NOT_CANCELABLE: Spec = (
    409,
    InvalidRequest,
    t(
        "Withdrawal can't be canceled",
        "This withdrawal is already being paid out or has finished, so it can no longer be canceled.",
        "Check the withdrawal's status. If it was paid to the wrong account, contact support.",
    ),
    t("提现无法取消", "这笔提现已在出款中或已完成，无法再取消。", "请查看提现状态；如果收款账户有误，请联系客服。"),
);

/// `withdrawal_returned`
pub(super) const WITHDRAWAL_RETURNED: Spec = (
    402,
    Payment,
    t(
        "Withdrawal returned",
        "The receiving bank returned the withdrawal. The money, including the fee, is back in your wallet.",
        "Check the account details with your bank, then try again or withdraw to another account.",
    ),
    t(
        "提现被退回",
        "收款银行退回了这笔提现，款项（含手续费）已退回您的钱包。",
        "请向银行核实账户信息，然后重试或提现到其他账户。",
    ),
);

/// `recipient_not_found`
pub(super) const RECIPIENT_NOT_FOUND: Spec = (
    404,
    InvalidRequest,
    t(
        "Recipient not found",
        "We couldn't find an OKPay account with that email or ID.",
        "Check the recipient's email address or user ID, or ask them to sign up for OKPay first.",
    ),
    t("收款人不存在", "未找到该邮箱或 ID 对应的 OKPay 账户。", "请核对收款人的邮箱或用户 ID，或请对方先注册 OKPay。"),
);

/// `recipient_unavailable`
pub(super) const RECIPIENT_UNAVAILABLE: Spec = (
    409,
    InvalidRequest,
    t(
        "Recipient can't receive money",
        "The recipient's account can't receive money right now. Nothing was taken from your balance.",
        "Ask the recipient to check their account, or try again later.",
    ),
    t("对方暂时无法收款", "对方账户目前无法接收款项，您的余额未被扣除。", "请联系对方检查账户状态，或稍后再试。"),
);

/// `transfer_to_self`
pub(super) const TRANSFER_TO_SELF: Spec = (
    400,
    InvalidRequest,
    t(
        "Can't send money to yourself",
        "You can't send money to your own account.",
        "Enter another person's email address or user ID.",
    ),
    t("不能转账给自己", "不能向自己的账户转账。", "请填写其他收款人的邮箱或用户 ID。"),
);

/// `insufficient_funds`
pub(super) const INSUFFICIENT_FUNDS: Spec = (
    402,
    Payment,
    t(
        "Insufficient balance",
        "Your balance in this currency isn't enough to cover this amount, including any fees.",
        "Add money to your wallet or send a smaller amount.",
    ),
    t("余额不足", "您该币种的余额不足以支付本次金额（含手续费）。", "请先充值，或减少金额后再试。"),
);

/// `limit_exceeded`
pub(super) const LIMIT_EXCEEDED: Spec = (
    402,
    Payment,
    t(
        "Limit reached",
        "This would take you over your daily limit for this type of transaction.",
        "Try a smaller amount or wait until tomorrow. Verifying your identity raises your limits.",
    ),
    t("超出限额", "本次操作将超出您该类交易的每日限额。", "请减少金额或明天再试；完成实名认证可提高限额。"),
);

/// `amount_too_small`
pub(super) const AMOUNT_TOO_SMALL: Spec = (
    400,
    InvalidRequest,
    t(
        "Amount too small",
        "The amount is below the minimum for this operation.",
        "Enter a larger amount and try again.",
    ),
    t("金额过低", "金额低于本项操作的最低金额。", "请提高金额后重试。"),
);

/// `card_declined`
pub(super) const CARD_DECLINED: Spec = (
    402,
    Card,
    t(
        "Card declined",
        "Your card issuer declined this payment.",
        "Contact your card issuer to find out why, or use another card.",
    ),
    t("银行卡被拒绝", "发卡行拒绝了本次交易。", "请联系发卡行了解原因，或换一张银行卡支付。"),
);

/// `incorrect_cvc`
pub(super) const INCORRECT_CVC: Spec = (
    402,
    Card,
    t(
        "Incorrect security code",
        "The security code (CVC) doesn't match this card.",
        "Check the code on the back of your card and try again, or use another card.",
    ),
    t("安全码错误", "安全码（CVC）与该银行卡不符。", "请核对卡背面的安全码后重试，或换一张银行卡。"),
);

/// `processing_error`
pub(super) const PROCESSING_ERROR: Spec = (
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
);

/// `bank_transfer_failed`
pub(super) const BANK_TRANSFER_FAILED: Spec = (
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
);

/// `invalid_webhook_url`
pub(super) const INVALID_WEBHOOK_URL: Spec = (
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
);

/// `webhook_not_configured`
pub(super) const WEBHOOK_NOT_CONFIGURED: Spec = (
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
);

/// `api_key_not_allowed`
pub(super) const API_KEY_NOT_ALLOWED: Spec = (
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
);

/// `api_key_required`
pub(super) const API_KEY_REQUIRED: Spec = (
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
);
