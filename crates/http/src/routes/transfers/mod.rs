//! `/v1/transfers`
pub mod create;
