//! `/v1/me`
pub mod get;
