//! `/v1/me`
pub mod get;
pub mod support_pin;
pub mod totp_begin;
pub mod totp_confirm;
pub mod totp_disable;
pub mod update;
