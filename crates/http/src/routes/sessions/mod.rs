//! `/v1/sessions`
pub mod create;
pub mod delete;
pub mod delete_current;
pub mod delete_others;
pub mod list;
