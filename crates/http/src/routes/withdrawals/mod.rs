//! `/v1/withdrawals`
pub mod cancel;
pub mod create;
pub mod get;
pub mod list;
pub mod quote;
pub mod view;
