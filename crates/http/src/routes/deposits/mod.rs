//! `/v1/deposits`
pub mod create;
