//! `/v1/transactions`
pub mod export;
pub mod get;
pub mod list;
