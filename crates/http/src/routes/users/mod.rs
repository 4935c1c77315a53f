//! `/v1/users`
pub mod create;
pub mod verify_email;
