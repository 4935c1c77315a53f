//! `/v1/password-resets`
pub mod confirm;
pub mod create;
