//! `/v1/sessions`
pub mod create;
