//! `/v1/users`
pub mod create;
