//! The books.
//!
//! * [`model`]: accounts, legs, commands (transfer, hold, post, void) and their outcomes.
//! * [`plan`]: the pure heart. Given a snapshot of the accounts a batch touches, decide each
//!   command's outcome in order and produce the rows to write. No I/O; property-tested.
//! * [`store`]: the storage trait the backends implement (load snapshot, write plan, verify).
//! * [`writer`]: group commit. Concurrent submissions are batched into one database transaction;
//!   one rejected command does not fail the others; a lone command is not delayed.
//!
//! Sign convention: an account's `balance` is the sum of its postings. User (wallet) accounts
//! hold positive balances (what OKPay owes them); system accounts (card clearing, fee revenue, ...)
//! are the other side, so per currency all balances sum to exactly zero.

pub mod model;
pub mod plan;
pub mod statement;
pub mod store;
pub mod verify;
pub mod writer;

pub use model::{
    AccountId, AccountKind, AccountState, Command, Hold, HoldStatus, Leg, Outcome, Rejection, Resolve, Transfer,
};
pub use statement::{StatementLine, StatusUpdate};
pub use store::{LedgerStore, StorageError};
pub use verify::{Check, VerifyReport};
pub use writer::{Ledger, LedgerError, WriterConfig};
