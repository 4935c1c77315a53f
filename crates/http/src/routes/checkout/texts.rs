//! The checkout page's words in English and Chinese.

use crate::catalog::Lang;

/// Every text of the page in one language.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub(super) struct Texts {
    pub title: &'static str,
    pub pay_to: &'static str,
    pub status_label: &'static str,
    pub requires_payment: &'static str,
    pub processing: &'static str,
    pub succeeded: &'static str,
    pub failed: &'static str,
    pub sign_in: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub otp: &'static str,
    pub wallet: &'static str,
    pub pay: &'static str,
    pub paid: &'static str,
    pub returning: &'static str,
    pub network_error: &'static str,
    pub not_found_title: &'static str,
    pub not_found: &'static str,
    pub no_methods: &'static str,
}

const EN: Texts = Texts {
    title: "Pay with OKPay",
    pay_to: "Pay",
    status_label: "Status",
    requires_payment: "Waiting for payment",
    processing: "Being paid",
    succeeded: "Paid",
    failed: "Failed",
    sign_in: "Sign in to pay",
    email: "Email",
    password: "Password",
    otp: "Two-step verification code",
    wallet: "OKPay wallet balance",
    pay: "Pay",
    paid: "Payment complete. Thank you!",
    returning: "Taking you back to the merchant…",
    network_error: "We couldn't reach OKPay. Check your connection and try again; you won't be charged twice.",
    not_found_title: "Payment not found",
    not_found: "This payment link doesn't exist. Check the link, or ask the merchant for a new one.",
    no_methods: "You have no payment method this merchant accepts.",
};

const ZH: Texts = Texts {
    title: "使用 OKPay 付款",
    pay_to: "付款给",
    status_label: "状态",
    requires_payment: "待付款",
    processing: "付款处理中",
    succeeded: "已付款",
    failed: "付款失败",
    sign_in: "登录后付款",
    email: "邮箱",
    password: "密码",
    otp: "两步验证码",
    wallet: "OKPay 钱包余额",
    pay: "付款",
    paid: "付款成功，谢谢！",
    returning: "正在返回商户页面…",
    network_error: "无法连接 OKPay，请检查网络后重试；不会重复扣款。",
    not_found_title: "找不到该付款",
    not_found: "该付款链接不存在。请检查链接，或向商户索取新的链接。",
    no_methods: "您没有该商户接受的支付方式。",
};

/// The texts in `lang`.
pub(super) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

impl Texts {
    /// The words for a payment status.
    pub(super) fn status(&self, status: &str) -> &'static str {
        match status {
            "processing" => self.processing,
            "succeeded" => self.succeeded,
            "failed" => self.failed,
            _ => self.requires_payment,
        }
    }
}
