//! One module per resource, one file per action.

pub mod agent;
pub mod api_keys;
pub mod balances;
pub mod checkout;
pub mod closure_requests;
pub mod deposits;
pub mod events;
pub mod identity_documents;
pub mod me;
pub mod merchant;
pub mod password_resets;
pub mod payment_methods;
pub mod payments;
pub mod refunds;
pub mod sessions;
pub mod system;
pub mod transactions;
pub mod transfers;
pub mod users;
pub mod withdrawals;
