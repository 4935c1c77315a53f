//! Middleware: the request envelope (id, language, logs, metrics, uniform errors), per-IP
//! rate limits and idempotency keys.

pub mod envelope;
pub mod idempotency;
pub mod rate_limit;
