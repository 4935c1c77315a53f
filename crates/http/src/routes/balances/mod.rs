//! `/v1/balances`
pub mod list;
