//! Operational endpoints and error help pages.
pub mod health;
pub mod help_errors;
pub mod metrics;
