//! OKPay use cases.
pub mod ports;
