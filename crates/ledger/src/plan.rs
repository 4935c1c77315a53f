//! Deciding a batch: pure, deterministic, no I/O.
//!
//! A backend opens a transaction, locks and loads a [`Snapshot`] of everything the batch
//! touches (see [`Needs`]), calls [`plan`], writes the [`Plan`] and commits. Commands are
//! decided in order against a working copy of the accounts, so a later command sees the
//! effect of an earlier one in the same batch, and a refused command leaves no trace.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use okpay_domain::Currency;

use crate::model::{AccountId, AccountState, Command, HoldStatus, Leg, MAX_LEGS, Outcome, Rejection};
use crate::statement::{StatementLine, StatusUpdate};

/// A hold as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHold {
    /// Hold id.
    pub id: i64,
    /// Hold reference.
    pub reference: String,
    /// Journal kind to use when posted.
    pub kind: String,
    /// Currency of the legs.
    pub currency: Currency,
    /// Reserved legs.
    pub legs: Vec<Leg>,
    /// Current state.
    pub status: HoldStatus,
}

/// How a batch learns which of its journal references are already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum References {
    /// Look each one up before planning (one index probe per reference).
    LookUp,
    /// Plan as if none were taken and let the unique index on `journals.reference` say
    /// otherwise: the journals insert then fails, the backend's batch answers `Ok(None)`, and
    /// the caller rolls back and runs the batch again with [`References::LookUp`]. The
    /// references of the commands the plan refused are looked up before writing (a refused
    /// replay writes no journal for the index to catch, and must still be a duplicate). A replay
    /// that reaches the ledger is rare (the idempotency records answer most), so this saves a
    /// probe per transfer at the price of running a batch that holds one twice.
    TrustIndex,
}

/// What a backend must load (and lock) before planning a batch.
#[derive(Debug, Default)]
pub struct Needs {
    /// References that may already have a journal (transfers and posts).
    pub journal_refs: Vec<String>,
    /// References of holds to load (new holds, to detect replays; posts and voids).
    pub hold_refs: Vec<String>,
}

impl Needs {
    /// The references a batch needs looked up; journal references only with
    /// [`References::LookUp`].
    pub fn of(cmds: &[Command], refs: References) -> Needs {
        let mut n = Needs::default();
        let look_up = refs == References::LookUp;
        for c in cmds {
            match c {
                Command::Transfer(t) if look_up => n.journal_refs.push(t.reference.clone()),
                Command::Transfer(_) => {}
                Command::Hold(h) => n.hold_refs.push(h.reference.clone()),
                Command::Post(r) => {
                    // Posting writes a journal under the hold's reference: it must be free.
                    if look_up {
                        n.journal_refs.push(r.hold_reference.clone());
                    }
                    n.hold_refs.push(r.hold_reference.clone());
                }
                Command::Void(r) => n.hold_refs.push(r.hold_reference.clone()),
            }
        }
        n
    }

    /// The journal references of the transfers and posts the plan refused. A backend that
    /// planned without looking references up must check these: a refused replay writes no
    /// journal, so the unique index cannot report it, yet it must be answered `Duplicate`.
    pub fn refused_journal_refs(cmds: &[Command], results: &[Result<Outcome, Rejection>]) -> Vec<String> {
        cmds.iter()
            .zip(results)
            .filter(|(c, r)| r.is_err() && matches!(c, Command::Transfer(_) | Command::Post(_)))
            .map(|(c, _)| c.reference().to_owned())
            .collect()
    }

    /// Every account the batch touches, given the holds loaded for it, in ascending order:
    /// backends lock rows in this order so two writers can never deadlock each other.
    pub fn accounts(cmds: &[Command], holds: &HashMap<String, StoredHold>) -> Vec<AccountId> {
        let mut ids = BTreeSet::new();
        let mut add = |legs: &[Leg]| {
            for l in legs {
                ids.insert(l.debit);
                ids.insert(l.credit);
            }
        };
        for c in cmds {
            match c {
                Command::Transfer(t) => add(&t.legs),
                Command::Hold(h) => add(&h.legs),
                Command::Post(r) | Command::Void(r) => {
                    if let Some(h) = holds.get(&r.hold_reference) {
                        add(&h.legs);
                    }
                }
            }
        }
        ids.into_iter().collect()
    }
}

/// The current state of everything a batch touches.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// Locked accounts.
    pub accounts: HashMap<AccountId, AccountState>,
    /// References among [`Needs::journal_refs`] that already have a journal.
    pub journal_refs: HashSet<String>,
    /// Holds among [`Needs::hold_refs`] that exist, by reference.
    pub holds: HashMap<String, StoredHold>,
}

/// A journal to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJournal {
    /// Journal id (allocated by the backend).
    pub id: i64,
    /// Unique reference.
    pub reference: String,
    /// Kind.
    pub kind: String,
    /// Currency.
    pub currency: Currency,
    /// The hold this journal posts, if any.
    pub hold_id: Option<i64>,
    /// Signed postings `(account, amount)`; they sum to zero.
    pub postings: Vec<(AccountId, i64)>,
}

/// A hold to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHold {
    /// Hold id (allocated by the backend).
    pub id: i64,
    /// The hold as it will be stored.
    pub hold: StoredHold,
}

/// A change to an account's stored balances (added to the current values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delta {
    /// Added to `balance`.
    pub balance: i64,
    /// Added to `debits_pending`.
    pub debits_pending: i64,
    /// Added to `credits_pending`.
    pub credits_pending: i64,
}

/// Everything a batch writes, and each command's result in submission order.
#[derive(Debug, Default)]
pub struct Plan {
    /// One result per command, in order.
    pub results: Vec<Result<Outcome, Rejection>>,
    /// Journals to insert.
    pub journals: Vec<NewJournal>,
    /// Holds to insert.
    pub holds: Vec<NewHold>,
    /// Holds whose status changes: `(hold id, new status, posting journal id)`.
    pub hold_updates: Vec<(i64, HoldStatus, Option<i64>)>,
    /// Net balance changes per account (only accounts that changed).
    pub deltas: BTreeMap<AccountId, Delta>,
    /// History rows to insert.
    pub lines: Vec<StatementLine>,
    /// History status changes.
    pub line_updates: Vec<StatusUpdate>,
}

/// Decides every command of a batch. `ids[i]` is the id reserved for command `i`'s journal or
/// hold; `ids.len()` must equal `cmds.len()` (missing ids make the command fail as overflow).
pub fn plan(snapshot: &Snapshot, cmds: &[Command], ids: &[i64]) -> Plan {
    let mut work = Work {
        accounts: snapshot.accounts.clone(),
        journal_refs: snapshot.journal_refs.clone(),
        holds: snapshot.holds.clone(),
        plan: Plan::default(),
    };
    for (i, cmd) in cmds.iter().enumerate() {
        let result = match ids.get(i) {
            Some(&id) => work.apply(cmd, id),
            None => Err(Rejection::Overflow),
        };
        work.plan.results.push(result);
    }
    for (id, after) in &work.accounts {
        if let Some(before) = snapshot.accounts.get(id) {
            let d = Delta {
                balance: after.balance - before.balance,
                debits_pending: after.debits_pending - before.debits_pending,
                credits_pending: after.credits_pending - before.credits_pending,
            };
            if d != Delta::default() {
                work.plan.deltas.insert(*id, d);
            }
        }
    }
    work.plan
}

struct Work {
    accounts: HashMap<AccountId, AccountState>,
    journal_refs: HashSet<String>,
    holds: HashMap<String, StoredHold>,
    plan: Plan,
}

/// How a leg changes its two accounts.
#[derive(Clone, Copy)]
enum Effect {
    Post,
    Reserve,
    Release,
    /// Move a reservation into the posted balance.
    Settle,
}

impl Work {
    fn apply(&mut self, cmd: &Command, id: i64) -> Result<Outcome, Rejection> {
        match cmd {
            Command::Transfer(t) => {
                if self.journal_refs.contains(&t.reference) {
                    return Ok(Outcome::Duplicate);
                }
                let changed = self.try_legs(t.currency, &t.legs, Effect::Post)?;
                self.commit(changed);
                self.journal_refs.insert(t.reference.clone());
                self.plan.journals.push(journal(id, &t.reference, &t.kind, t.currency, None, &t.legs));
                self.plan.lines.extend(t.lines.iter().cloned());
                Ok(Outcome::Posted { journal_id: id })
            }
            Command::Hold(h) => {
                if self.holds.contains_key(&h.reference) {
                    return Ok(Outcome::Duplicate);
                }
                let changed = self.try_legs(h.currency, &h.legs, Effect::Reserve)?;
                self.commit(changed);
                let stored = StoredHold {
                    id,
                    reference: h.reference.clone(),
                    kind: h.kind.clone(),
                    currency: h.currency,
                    legs: h.legs.clone(),
                    status: HoldStatus::Pending,
                };
                self.holds.insert(h.reference.clone(), stored.clone());
                self.plan.holds.push(NewHold { id, hold: stored });
                self.plan.lines.extend(h.lines.iter().cloned());
                Ok(Outcome::Held { hold_id: id })
            }
            Command::Post(r) => {
                let hold = self.holds.get(&r.hold_reference).cloned().ok_or(Rejection::HoldNotFound)?;
                match hold.status {
                    HoldStatus::Posted => return Ok(Outcome::Duplicate),
                    HoldStatus::Voided => return Err(Rejection::HoldAlreadyResolved(HoldStatus::Voided)),
                    HoldStatus::Pending => {}
                }
                if self.journal_refs.contains(&hold.reference) {
                    return Err(Rejection::ReferenceInUse);
                }
                let changed = self.try_legs(hold.currency, &hold.legs, Effect::Settle)?;
                self.commit(changed);
                self.journal_refs.insert(hold.reference.clone());
                self.set_hold_status(&hold, HoldStatus::Posted, Some(id));
                let j = journal(id, &hold.reference, &hold.kind, hold.currency, Some(hold.id), &hold.legs);
                self.plan.journals.push(j);
                self.plan.line_updates.extend(r.updates.iter().cloned());
                Ok(Outcome::Posted { journal_id: id })
            }
            Command::Void(r) => {
                let hold = self.holds.get(&r.hold_reference).cloned().ok_or(Rejection::HoldNotFound)?;
                match hold.status {
                    HoldStatus::Voided => return Ok(Outcome::Duplicate),
                    HoldStatus::Posted => return Err(Rejection::HoldAlreadyResolved(HoldStatus::Posted)),
                    HoldStatus::Pending => {}
                }
                let changed = self.try_legs(hold.currency, &hold.legs, Effect::Release)?;
                self.commit(changed);
                self.set_hold_status(&hold, HoldStatus::Voided, None);
                self.plan.line_updates.extend(r.updates.iter().cloned());
                Ok(Outcome::Voided { hold_id: hold.id })
            }
        }
    }

    /// Applies legs to copies of the accounts and checks every rule; returns the new states.
    fn try_legs(&self, currency: Currency, legs: &[Leg], effect: Effect) -> Result<Vec<AccountState>, Rejection> {
        if legs.is_empty() || legs.len() > MAX_LEGS {
            return Err(Rejection::BadLegCount);
        }
        let mut touched: Vec<AccountState> = Vec::with_capacity(legs.len() * 2);
        for leg in legs {
            if leg.debit == leg.credit {
                return Err(Rejection::SameAccount);
            }
            let amount = leg.amount.minor();
            for (id, is_debit) in [(leg.debit, true), (leg.credit, false)] {
                let pos = match touched.iter().position(|a| a.id == id) {
                    Some(p) => p,
                    None => {
                        let acc = self.accounts.get(&id).ok_or(Rejection::AccountNotFound(id))?;
                        if acc.currency != currency {
                            return Err(Rejection::CurrencyMismatch(id));
                        }
                        if acc.closed {
                            return Err(Rejection::AccountClosed(id));
                        }
                        touched.push(acc.clone());
                        touched.len() - 1
                    }
                };
                apply_side(&mut touched[pos], amount, is_debit, effect).ok_or(Rejection::Overflow)?;
            }
        }
        if let Some(bad) = touched.iter().find(|a| !a.is_valid()) {
            return Err(Rejection::InsufficientFunds(bad.id));
        }
        Ok(touched)
    }

    fn commit(&mut self, changed: Vec<AccountState>) {
        for a in changed {
            self.accounts.insert(a.id, a);
        }
    }

    fn set_hold_status(&mut self, hold: &StoredHold, status: HoldStatus, journal_id: Option<i64>) {
        if let Some(h) = self.holds.get_mut(&hold.reference) {
            h.status = status;
        }
        self.plan.hold_updates.push((hold.id, status, journal_id));
    }
}

fn apply_side(a: &mut AccountState, amount: i64, is_debit: bool, effect: Effect) -> Option<()> {
    match (effect, is_debit) {
        (Effect::Post, true) => a.balance = a.balance.checked_sub(amount)?,
        (Effect::Post, false) => a.balance = a.balance.checked_add(amount)?,
        (Effect::Reserve, true) => a.debits_pending = a.debits_pending.checked_add(amount)?,
        (Effect::Reserve, false) => a.credits_pending = a.credits_pending.checked_add(amount)?,
        (Effect::Release, true) => a.debits_pending = a.debits_pending.checked_sub(amount)?,
        (Effect::Release, false) => a.credits_pending = a.credits_pending.checked_sub(amount)?,
        (Effect::Settle, true) => {
            a.debits_pending = a.debits_pending.checked_sub(amount)?;
            a.balance = a.balance.checked_sub(amount)?;
        }
        (Effect::Settle, false) => {
            a.credits_pending = a.credits_pending.checked_sub(amount)?;
            a.balance = a.balance.checked_add(amount)?;
        }
    }
    Some(())
}

fn journal(id: i64, reference: &str, kind: &str, currency: Currency, hold_id: Option<i64>, legs: &[Leg]) -> NewJournal {
    let postings = legs.iter().flat_map(|l| [(l.debit, -l.amount.minor()), (l.credit, l.amount.minor())]).collect();
    NewJournal { id, reference: reference.to_owned(), kind: kind.to_owned(), currency, hold_id, postings }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
