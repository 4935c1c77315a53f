//! `/v1/users`
pub mod create;
pub mod unlock;
pub mod verify_email;
