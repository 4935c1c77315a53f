//! The ledger's vocabulary: accounts, legs, commands and outcomes.

use okpay_domain::{Amount, Currency};
use serde::Serialize;

use crate::statement::{StatementLine, StatusUpdate};

/// Most legs one journal may carry (a withdrawal uses two: amount and fee).
pub const MAX_LEGS: usize = 8;

/// Internal numeric id of a ledger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AccountId(pub i64);

/// Whether the account may go below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccountKind {
    /// A customer's wallet: `balance - debits_pending` never goes below zero.
    User,
    /// OKPay's side of the books (clearing, fees): unrestricted.
    System,
}

impl AccountKind {
    /// Storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::System => "system",
        }
    }

    /// Parses the storage value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(AccountKind::User),
            "system" => Some(AccountKind::System),
            _ => None,
        }
    }
}

/// An account's balances as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountState {
    /// The account.
    pub id: AccountId,
    /// Its only currency.
    pub currency: Currency,
    /// Overdraft rule.
    pub kind: AccountKind,
    /// Sum of posted postings.
    pub balance: i64,
    /// Sum of pending holds debiting this account.
    pub debits_pending: i64,
    /// Sum of pending holds crediting this account.
    pub credits_pending: i64,
    /// The owner closed their account: no posting or hold may touch it any more.
    pub closed: bool,
}

impl AccountState {
    /// What the owner can spend now: posted balance minus outgoing holds.
    pub fn available(&self) -> Option<i64> {
        self.balance.checked_sub(self.debits_pending)
    }

    /// Whether the state obeys the account's rules (no overdraft, no negative pending).
    pub fn is_valid(&self) -> bool {
        let pending_ok = self.debits_pending >= 0 && self.credits_pending >= 0;
        let funds_ok = match self.kind {
            AccountKind::User => self.available().is_some_and(|a| a >= 0),
            AccountKind::System => self.available().is_some(),
        };
        pending_ok && funds_ok
    }
}

/// One balanced movement: `amount` leaves `debit` and arrives in `credit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leg {
    /// Account whose balance goes down.
    pub debit: AccountId,
    /// Account whose balance goes up.
    pub credit: AccountId,
    /// How much, in minor units.
    pub amount: Amount,
}

/// An immediate, posted movement: one journal with one or more legs.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Unique reference (e.g. `tr_...`): a second command with it is a [`Outcome::Duplicate`].
    pub reference: String,
    /// Journal kind, for people and reports (`transfer`, `deposit`, ...).
    pub kind: String,
    /// Currency of every leg.
    pub currency: Currency,
    /// The legs, applied atomically.
    pub legs: Vec<Leg>,
    /// History rows written with the journal, in the same database transaction.
    pub lines: Vec<StatementLine>,
}

/// A two-phase movement's first phase: reserve the legs' amounts as pending.
#[derive(Debug, Clone)]
pub struct Hold {
    /// Unique hold reference; the journal that posts it later carries the same reference.
    pub reference: String,
    /// Journal kind used when posted.
    pub kind: String,
    /// Currency of every leg.
    pub currency: Currency,
    /// The legs to reserve.
    pub legs: Vec<Leg>,
    /// History rows written with the hold.
    pub lines: Vec<StatementLine>,
}

/// Second phase of a hold: post it (write its journal) or void it (release it).
#[derive(Debug, Clone)]
pub struct Resolve {
    /// The hold's reference.
    pub hold_reference: String,
    /// History rows whose status changes with this resolution.
    pub updates: Vec<StatusUpdate>,
}

/// A command for the ledger.
#[derive(Debug, Clone)]
pub enum Command {
    /// Post a journal now.
    Transfer(Transfer),
    /// Reserve funds.
    Hold(Hold),
    /// Complete a hold: its legs become a posted journal.
    Post(Resolve),
    /// Cancel a hold: its reserved amounts are released.
    Void(Resolve),
}

impl Command {
    /// The reference that identifies this command's effect.
    pub fn reference(&self) -> &str {
        match self {
            Command::Transfer(t) => &t.reference,
            Command::Hold(h) => &h.reference,
            Command::Post(r) | Command::Void(r) => &r.hold_reference,
        }
    }
}

/// State of a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HoldStatus {
    /// Reserved, not yet resolved.
    Pending,
    /// Completed by a journal.
    Posted,
    /// Released.
    Voided,
}

impl HoldStatus {
    /// Storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldStatus::Pending => "pending",
            HoldStatus::Posted => "posted",
            HoldStatus::Voided => "voided",
        }
    }

    /// Parses the storage value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(HoldStatus::Pending),
            "posted" => Some(HoldStatus::Posted),
            "voided" => Some(HoldStatus::Voided),
            _ => None,
        }
    }
}

/// What a successful command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A journal was written.
    Posted {
        /// The new journal's id.
        journal_id: i64,
    },
    /// A hold was created.
    Held {
        /// The new hold's id.
        hold_id: i64,
    },
    /// A hold was voided.
    Voided {
        /// The hold's id.
        hold_id: i64,
    },
    /// Nothing was written: this reference already took effect earlier (a replay).
    Duplicate,
}

/// Why a command was refused. Nothing of a refused command is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum Rejection {
    /// A user account would go below zero.
    #[error("insufficient funds in account {0:?}")]
    InsufficientFunds(AccountId),
    /// A leg names an account that does not exist.
    #[error("account {0:?} not found")]
    AccountNotFound(AccountId),
    /// A leg's account holds another currency than the command's.
    #[error("account {0:?} holds another currency")]
    CurrencyMismatch(AccountId),
    /// A leg debits and credits the same account.
    #[error("a leg moves money from an account to itself")]
    SameAccount,
    /// No legs, or more than [`MAX_LEGS`].
    #[error("a journal needs 1 to {MAX_LEGS} legs")]
    BadLegCount,
    /// A balance would overflow `i64`.
    #[error("balance overflow")]
    Overflow,
    /// A leg touches a closed account.
    #[error("account {0:?} is closed")]
    AccountClosed(AccountId),
    /// Post/void of an unknown hold.
    #[error("hold not found")]
    HoldNotFound,
    /// Posting a hold whose reference another journal already uses.
    #[error("the hold's reference is already used by another journal")]
    ReferenceInUse,
    /// Post of a voided hold, or void of a posted one.
    #[error("hold already {0:?}")]
    HoldAlreadyResolved(HoldStatus),
}
