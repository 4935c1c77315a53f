//! Enforcing the per-user limits of API.md §7 before money moves.
//!
//! The policy is pure ([`okpay_domain::limits`]); this module reads what the user already moved
//! in the current UTC day and month from history and refuses with `limit_exceeded`, naming
//! the limit, what is left and when it resets. Rows that failed or were canceled do not count;
//! pending ones do (a pending bank deposit or withdrawal is a movement under way).
//!
//! The check reads before the movement is written, so it returns a [`LimitGate`], which the
//! caller holds until the movement's history row is written. While it is held, the movement's
//! amount is *reserved*: every later check of the same user, movement and currency in this
//! process counts it as if it had already succeeded. So a user's movements run side by side,
//! and none can pass a limit that the others in flight would already fill:
//!
//! - A check reserves its amount and notes what others have reserved, in one step, and only
//!   then reads history. Of two checks in flight at once, the later one to reserve counts the
//!   earlier: either as a reservation, or, once that one is released (after its row was
//!   committed), in the history it reads next.
//! - That count can be too high (a movement in flight may still fail, or be both committed and
//!   not yet released), so it never refuses on its own. A check that would go over while others
//!   are in flight waits until every movement in flight on its stripe of users is written,
//!   keeps newcomers out meanwhile, and counts again, alone: refusals are always exact.
//!
//! Across several `okpay serve` processes on one PostgreSQL two movements can still pass a
//! limit together by at most the smaller one; limits are a risk control, not a balance, and the
//! balance rules (enforced by the ledger and the database) hold regardless.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};

use okpay_domain::Currency;
use okpay_domain::limits::{Breach, Movement, Period, Usage};
use okpay_domain::time::now_us;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

use crate::error::{AppError, Code, Details};
use crate::ports::Scope;
use crate::{App, Caller};

/// A user's movements of one kind in one currency: what is reserved is counted per key.
type Key = (String, Currency, Movement);

/// The amounts reserved under one key, and by how many checks.
#[derive(Default)]
struct Reserved {
    /// Sum of the reserved amounts (wide enough that no number of holders overflows it).
    total: i128,
    holders: u32,
}

/// What this process's movements in flight have reserved.
type Book = Arc<Mutex<HashMap<Key, Reserved>>>;

/// Turns per user, striped, and the amounts reserved by the movements in flight. A movement
/// takes its stripe's turn shared; a recount after a possible over-count takes it alone.
pub struct LimitGates {
    stripes: Vec<Arc<RwLock<()>>>,
    hasher: RandomState,
    book: Book,
}

/// Stripes of [`LimitGates`]: many more than the requests a process has in flight, so a
/// recount rarely waits for another user's movements.
const GATE_STRIPES: usize = 1024;

impl Default for LimitGates {
    fn default() -> Self {
        LimitGates {
            stripes: (0..GATE_STRIPES).map(|_| Arc::new(RwLock::new(()))).collect(),
            hasher: RandomState::new(),
            book: Book::default(),
        }
    }
}

impl LimitGates {
    /// `owner`'s stripe.
    fn stripe(&self, owner: &str) -> Arc<RwLock<()>> {
        // Truncating the hash is fine: it only picks a stripe.
        #[allow(clippy::cast_possible_truncation)]
        let i = (self.hasher.hash_one(owner) as usize) % self.stripes.len();
        self.stripes[i].clone()
    }

    /// Reserves `amount_minor` under `key`; returns the reservation and what the others under
    /// `key` had reserved before it (`i64::MAX` if that does not fit, which only makes the
    /// check recount).
    fn reserve(&self, key: Key, amount_minor: i64) -> (Reservation, i64) {
        let mut book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = book.entry(key.clone()).or_default();
        let others = i64::try_from(entry.total).unwrap_or(i64::MAX);
        entry.total += i128::from(amount_minor);
        entry.holders += 1;
        drop(book);
        (Reservation { book: self.book.clone(), key, amount_minor }, others)
    }
}

/// One movement's amount, counted by the other checks under its key until dropped.
struct Reservation {
    book: Book,
    key: Key,
    amount_minor: i64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = book.get_mut(&self.key) {
            entry.total -= i128::from(self.amount_minor);
            entry.holders = entry.holders.saturating_sub(1);
            if entry.holders == 0 {
                book.remove(&self.key);
            }
        }
    }
}

/// How a passed check holds its stripe.
enum Turn {
    /// Beside the stripe's other movements.
    Shared(#[allow(dead_code)] OwnedRwLockReadGuard<()>),
    /// Alone, after a recount.
    Alone(#[allow(dead_code)] OwnedRwLockWriteGuard<()>),
}

/// Held from a passed limit check until the movement is written (see the module docs).
#[must_use = "hold the gate until the movement's history row is written"]
pub struct LimitGate {
    // Fields drop in order: the reservation goes before the turn, so a recount that gets the
    // stripe alone never counts a movement that is already written.
    _reservation: Reservation,
    _turn: Turn,
}

impl App {
    /// Refuses a movement of `amount_minor` that would take `caller` over a limit. On success
    /// returns the caller's [`LimitGate`], to be held until the movement is written.
    ///
    /// `reference` is the movement's id (`tr_...`): a retry of a movement that already took
    /// effect (its answer lost, say, in a crash) must get its original outcome, not be refused
    /// because its own amount now counts, so a refusal is only final when no history row of
    /// that reference exists.
    pub async fn check_limit(
        &self,
        caller: &Caller,
        movement: Movement,
        currency: Currency,
        amount_minor: i64,
        reference: &str,
    ) -> Result<LimitGate, AppError> {
        let gates = &self.limit_gates;
        let stripe = gates.stripe(caller.id());
        let key: Key = (caller.id().to_owned(), currency, movement);
        // Side by side with the user's other movements, counting them as if they succeed.
        let shared = stripe.clone().read_owned().await;
        let (reservation, others) = gates.reserve(key.clone(), amount_minor);
        let breach = self.breach(caller, movement, currency, amount_minor, others).await?;
        let gate = LimitGate { _reservation: reservation, _turn: Turn::Shared(shared) };
        let (gate, breach) = match breach {
            None => return Ok(gate),
            Some(breach) if others == 0 => (gate, breach),
            Some(_) => {
                // The count may be too high: wait for the stripe's movements in flight to be
                // written, keep new ones out, and count again alone.
                drop(gate);
                metrics::counter!("okpay_limit_recounts_total").increment(1);
                let alone = stripe.write_owned().await;
                let (reservation, others) = gates.reserve(key, amount_minor);
                let breach = self.breach(caller, movement, currency, amount_minor, others).await?;
                let gate = LimitGate { _reservation: reservation, _turn: Turn::Alone(alone) };
                match breach {
                    None => return Ok(gate),
                    Some(breach) => (gate, breach),
                }
            }
        };
        if self.store.line_by_source(caller.id(), reference).await?.is_some() {
            return Ok(gate);
        }
        metrics::counter!("okpay_limit_refusals_total", "limit" => breach.name()).increment(1);
        Err(limit_exceeded(breach))
    }

    /// The limit a movement of `amount_minor` would break, counting history and `reserved`
    /// (what other movements in flight hold), if any.
    async fn breach(
        &self,
        caller: &Caller,
        movement: Movement,
        currency: Currency,
        amount_minor: i64,
        reserved: i64,
    ) -> Result<Option<Breach>, AppError> {
        let now = now_us();
        let (day_start, _) = Period::Day.bounds(now);
        let (month_start, _) = Period::Month.bounds(now);
        let scope = Scope { owner: caller.id(), currency, kinds: movement.history_kinds() };
        let (day_minor, month_minor) = self.store.usage(scope, day_start, month_start).await?;
        let usage =
            Usage { day_minor: day_minor.saturating_add(reserved), month_minor: month_minor.saturating_add(reserved) };
        Ok(self.config.limits.check(caller.user.kyc_level, movement, currency, usage, amount_minor, now).err())
    }
}

/// The `limit_exceeded` error for a breach.
pub fn limit_exceeded(breach: Breach) -> AppError {
    AppError { details: Some(Box::new(Details::Limit(breach))), ..AppError::new(Code::LimitExceeded).param("amount") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(owner: &str) -> Key {
        (owner.to_owned(), Currency::Usd, Movement::Transfer)
    }

    #[test]
    fn a_reservation_counts_for_the_later_checks_of_its_key_until_dropped() {
        let gates = LimitGates::default();
        let (first, before_first) = gates.reserve(key("usr_a"), 300);
        let (second, before_second) = gates.reserve(key("usr_a"), 200);
        let (_other_user, before_other_user) = gates.reserve(key("usr_b"), 1_000);
        let (_other_kind, before_other_kind) =
            gates.reserve(("usr_a".to_owned(), Currency::Usd, Movement::Withdrawal), 1_000);
        assert_eq!((before_first, before_second, before_other_user, before_other_kind), (0, 300, 0, 0));
        drop(first);
        let (third, before_third) = gates.reserve(key("usr_a"), 1);
        assert_eq!(before_third, 200);
        drop((second, third));
        let book = gates.book.lock().unwrap();
        assert!(!book.contains_key(&key("usr_a")), "an emptied key is removed");
        assert_eq!(book.len(), 2);
    }

    #[test]
    fn reservations_too_large_for_i64_count_as_the_largest_amount() {
        let gates = LimitGates::default();
        let (_a, _) = gates.reserve(key("usr_a"), i64::MAX);
        let (_b, _) = gates.reserve(key("usr_a"), i64::MAX);
        let (_c, before) = gates.reserve(key("usr_a"), 1);
        assert_eq!(before, i64::MAX);
    }
}
