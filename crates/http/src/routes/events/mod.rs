//! `/v1/events`: the merchant's events and their webhook deliveries (session or API key).
pub mod get;
pub mod list;
pub mod resend;
pub mod view;
