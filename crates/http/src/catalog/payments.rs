//! Errors of merchant payments and refunds (API.md §4).

use super::ErrorType::{InvalidRequest, Payment};
use super::{Spec, t};

/// `payment_method_not_accepted`
pub(super) const PAYMENT_METHOD_NOT_ACCEPTED: Spec = (
    402,
    Payment,
    t(
        "Payment method not accepted",
        "This merchant doesn't accept this way of paying. Merchants accept the OKPay wallet, cards, or both; bank \
         accounts can't pay merchants.",
        "Pay with another method the merchant accepts, or contact the merchant.",
    ),
    t(
        "商户不接受该支付方式",
        "该商户不接受这种支付方式。商户可接受 OKPay 钱包、银行卡或两者；银行账户不能用于向商户付款。",
        "请改用商户接受的其他支付方式，或联系商户。",
    ),
);

/// `payment_already_completed`
pub(super) const PAYMENT_ALREADY_COMPLETED: Spec = (
    409,
    InvalidRequest,
    t(
        "Payment already completed",
        "This payment has already been paid, is being paid right now, or has failed, so it can't be paid again.",
        "Nothing more is needed if you already paid. Otherwise ask the merchant for a new payment link.",
    ),
    t(
        "该付款已完成",
        "该笔付款已被支付、正在支付中或已失败，不能再次支付。",
        "如果您已付款，无需其他操作；否则请向商户索取新的付款链接。",
    ),
);

/// `payment_to_self`
pub(super) const PAYMENT_TO_SELF: Spec = (
    400,
    InvalidRequest,
    t(
        "Can't pay your own payment",
        "A merchant can't pay a payment it created itself.",
        "Sign in with the payer's account to pay, or share the checkout link with your customer.",
    ),
    t("不能支付自己的收款", "商户不能支付自己创建的收款。", "请用付款人的账户登录后支付，或将付款链接发给您的客户。"),
);

/// `refund_exceeds_payment`
pub(super) const REFUND_EXCEEDS_PAYMENT: Spec = (
    400,
    InvalidRequest,
    t(
        "Refund larger than the payment",
        "The refund is larger than what is left of the payment after earlier refunds.",
        "Refund at most the payment's amount minus what was already refunded.",
    ),
    t(
        "退款金额超过付款金额",
        "退款金额超过了该笔付款扣除已退款后的剩余金额。",
        "请确保退款金额不超过付款金额减去已退金额。",
    ),
);

/// `payment_not_refundable`
pub(super) const PAYMENT_NOT_REFUNDABLE: Spec = (
    400,
    InvalidRequest,
    t(
        "Payment can't be refunded",
        "Only a payment that succeeded can be refunded; this one hasn't been paid or has failed.",
        "Check the payment's status; there is nothing to refund until it has succeeded.",
    ),
    t("该付款无法退款", "只有成功的付款才能退款，这笔付款尚未支付或已失败。", "请查看付款状态；付款成功之前无需退款。"),
);
