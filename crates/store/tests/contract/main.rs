//! The storage contract: every test runs on SQLite and on PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`), each on a fresh database. PostgreSQL tests are skipped with a warning
//! when no server is reachable, except in CI (`CI` set), where that fails the test.

mod accounts;
mod app;
mod audit;
mod bank_deposits;
mod closure;
mod common;
mod corruption;
mod devices;
mod identity_documents;
mod ledger;
mod merchants;
mod open;
mod outbox;
mod payments;
mod profile;
mod props;
mod risk;
mod status;
mod throttle;
mod two_factor;
mod withdrawals;
mod writer;
