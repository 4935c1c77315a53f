//! `/v1/refunds`: merchants give back (part of) a payment.
pub mod create;
pub mod get;
