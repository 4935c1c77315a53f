//! The OKPay binary's library half: configuration and server wiring, shared by `main` and the
//! integration tests (which start the real server on port 0).

pub mod config;
pub mod server;

pub use config::Config;
