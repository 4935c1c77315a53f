//! Middleware: the request envelope (id, language, logs, metrics, uniform errors) and
//! idempotency keys.

pub mod envelope;
pub mod idempotency;
