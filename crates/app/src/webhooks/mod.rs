//! Events and signed webhook delivery (API.md §4).
//!
//! * [`events`]: `App::emit_event` stores an event and queues its delivery in one
//!   transaction; listing, reading and re-sending events.
//! * [`worker`]: the durable background worker (claims with leases, exponential backoff for
//!   at least 24 h, then `failed`).
//! * [`sender`]: the HTTP client (10 s timeout, no redirects, public addresses only).
//! * [`signature`]: the `OKPay-Signature` header.
//! * [`destination`]: which webhook URLs are accepted.

pub mod destination;
pub mod events;
pub mod sender;
pub mod signature;
pub mod worker;
