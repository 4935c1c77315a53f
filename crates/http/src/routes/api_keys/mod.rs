//! `/v1/api-keys`: merchants' API keys (business accounts, signed in with a session).
pub mod create;
pub mod delete;
pub mod list;
