//! `/v1/payment-methods`
pub mod create;
pub mod list;
