//! `/v1/payments`: merchants' payments (API key to create; the payer's session to confirm).
pub mod confirm;
pub mod create;
pub mod get;
pub mod list;
pub mod view;
