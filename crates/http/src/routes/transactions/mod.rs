//! `/v1/transactions`
pub mod get;
pub mod list;
