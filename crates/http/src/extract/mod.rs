//! Request extractors. Each rejects with an [`crate::error::ApiError`] carrying a specific code.

pub mod auth;
pub mod client;
pub mod idempotency;
pub mod json;
pub mod query;

pub use auth::{AnyAuth, Auth, KeyAuth};
pub use client::ClientInfo;
pub use idempotency::{IdempotencyKey, OptionalIdempotencyKey};
pub use json::JsonBody;
pub use query::QueryParams;
