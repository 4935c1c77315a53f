//! OKPay's outgoing mail.
//!
//! * [`templates`]: every message OKPay sends, as plain Rust functions that fill one shared
//!   layout, in English and Chinese, each as text and HTML. Adding a message means adding a
//!   [`Template`] variant and its two texts; the layout, escaping and both formats come free.
//! * [`transport`]: delivery, over SMTP when `OKPAY_SMTP_URL` is set (lettre's protocol on
//!   connections of our own, [`relay`]), otherwise as one `.eml` file per message under
//!   `<data dir>/outbox/`.
//!
//! This crate does not queue: the application writes each message to its durable outbox table
//! in the same step as the change that caused it, and a background worker hands due rows to
//! [`Transport::send`]. Errors: [`SendError`] (with a `permanent` flag the worker uses to stop
//! retrying).

pub mod relay;
pub mod templates;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;

pub use templates::{Locale, Rendered, Template, WithdrawalEvent};
pub use transport::{Envelope, SendError, Transport};
