//! Unit and property tests of batch planning, with an in-memory "store" that applies plans.

use std::collections::{HashMap, HashSet};

use okpay_domain::{Amount, Currency};
use proptest::prelude::*;

use super::*;
use crate::model::{AccountKind, Hold, Resolve, Transfer};

/// An in-memory store: applies plans exactly as a backend would.
#[derive(Default)]
struct Mem {
    accounts: HashMap<AccountId, AccountState>,
    journals: Vec<NewJournal>,
    holds: HashMap<String, StoredHold>,
    next_id: i64,
}

impl Mem {
    fn with_accounts(users: i64, systems: i64) -> Mem {
        let mut m = Mem::default();
        for i in 0..users + systems {
            let kind = if i < users { AccountKind::User } else { AccountKind::System };
            let id = AccountId(i);
            m.accounts.insert(
                id,
                AccountState {
                    id,
                    currency: Currency::Usd,
                    kind,
                    balance: 0,
                    debits_pending: 0,
                    credits_pending: 0,
                    closed: false,
                },
            );
        }
        m.next_id = 1000;
        m
    }

    fn run(&mut self, cmds: &[Command]) -> Vec<Result<Outcome, Rejection>> {
        let needs = Needs::of(cmds, References::LookUp);
        let snap = Snapshot {
            accounts: self.accounts.clone(),
            journal_refs: self
                .journals
                .iter()
                .map(|j| j.reference.clone())
                .filter(|r| needs.journal_refs.contains(r))
                .collect(),
            holds: self.holds.clone(),
        };
        let ids: Vec<i64> = (0..cmds.len() as i64).map(|i| self.next_id + i).collect();
        self.next_id += cmds.len() as i64;
        let p = plan(&snap, cmds, &ids);
        for (id, d) in &p.deltas {
            let a = self.accounts.get_mut(id).expect("delta for a loaded account");
            a.balance += d.balance;
            a.debits_pending += d.debits_pending;
            a.credits_pending += d.credits_pending;
        }
        for h in &p.holds {
            self.holds.insert(h.hold.reference.clone(), h.hold.clone());
        }
        for (hid, status, _) in &p.hold_updates {
            for h in self.holds.values_mut() {
                if h.id == *hid {
                    h.status = *status;
                }
            }
        }
        self.journals.extend(p.journals.iter().cloned());
        p.results
    }

    fn check_invariants(&self) {
        let total: i64 = self.accounts.values().map(|a| a.balance).sum();
        assert_eq!(total, 0, "balances sum to zero");
        let mut refs = HashSet::new();
        for j in &self.journals {
            assert_eq!(j.postings.iter().map(|p| p.1).sum::<i64>(), 0, "journal {} balances", j.id);
            assert!(refs.insert(j.reference.clone()), "reference {} posted twice", j.reference);
        }
        for a in self.accounts.values() {
            assert!(a.is_valid(), "account rules hold: {a:?}");
            let posted: i64 = self.journals.iter().flat_map(|j| &j.postings).filter(|p| p.0 == a.id).map(|p| p.1).sum();
            assert_eq!(posted, a.balance, "balance equals postings for {:?}", a.id);
            let pending = |debit: bool| -> i64 {
                self.holds
                    .values()
                    .filter(|h| h.status == HoldStatus::Pending)
                    .flat_map(|h| &h.legs)
                    .filter(|l| if debit { l.debit == a.id } else { l.credit == a.id })
                    .map(|l| l.amount.minor())
                    .sum()
            };
            assert_eq!(pending(true), a.debits_pending);
            assert_eq!(pending(false), a.credits_pending);
        }
    }
}

fn leg(d: i64, c: i64, amount: i64) -> Leg {
    Leg { debit: AccountId(d), credit: AccountId(c), amount: Amount::new(amount).expect("positive test amount") }
}

fn transfer(r: &str, legs: Vec<Leg>) -> Command {
    Command::Transfer(Transfer {
        reference: r.into(),
        kind: "transfer".into(),
        currency: Currency::Usd,
        legs,
        lines: vec![],
    })
}

fn hold(r: &str, legs: Vec<Leg>) -> Command {
    Command::Hold(Hold { reference: r.into(), kind: "withdrawal".into(), currency: Currency::Usd, legs, lines: vec![] })
}

fn resolve(r: &str) -> Resolve {
    Resolve { hold_reference: r.into(), updates: vec![] }
}

#[test]
fn one_rejection_does_not_fail_the_batch() {
    // Account 0 and 1 are users, 2 is the card clearing account.
    let mut m = Mem::with_accounts(2, 1);
    let r = m.run(&[
        transfer("dep1", vec![leg(2, 0, 100)]),
        transfer("t1", vec![leg(0, 1, 60)]),
        transfer("t2", vec![leg(0, 1, 60)]),
        transfer("t3", vec![leg(0, 1, 40)]),
    ]);
    assert!(matches!(r[0], Ok(Outcome::Posted { .. })));
    assert!(matches!(r[1], Ok(Outcome::Posted { .. })));
    assert_eq!(r[2], Err(Rejection::InsufficientFunds(AccountId(0))));
    assert!(matches!(r[3], Ok(Outcome::Posted { .. })));
    assert_eq!(m.accounts[&AccountId(0)].balance, 0);
    assert_eq!(m.accounts[&AccountId(1)].balance, 100);
    m.check_invariants();
}

#[test]
fn replays_are_duplicates_within_and_across_batches() {
    let mut m = Mem::with_accounts(1, 1);
    let r = m.run(&[transfer("d", vec![leg(1, 0, 5)]), transfer("d", vec![leg(1, 0, 5)])]);
    assert_eq!(r[1], Ok(Outcome::Duplicate));
    let r = m.run(&[transfer("d", vec![leg(1, 0, 5)])]);
    assert_eq!(r[0], Ok(Outcome::Duplicate));
    assert_eq!(m.accounts[&AccountId(0)].balance, 5);
    m.check_invariants();
}

#[test]
fn holds_reserve_then_post_or_void() {
    let mut m = Mem::with_accounts(1, 2);
    m.run(&[transfer("d", vec![leg(1, 0, 100)])]);
    let r = m.run(&[hold("w", vec![leg(0, 2, 90), leg(0, 2, 5)]), hold("w2", vec![leg(0, 2, 10)])]);
    assert!(matches!(r[0], Ok(Outcome::Held { .. })));
    assert_eq!(r[1], Err(Rejection::InsufficientFunds(AccountId(0))), "only 5 left available");
    assert_eq!(m.accounts[&AccountId(0)].available(), Some(5));
    let r = m.run(&[Command::Post(resolve("w")), Command::Void(resolve("w"))]);
    assert!(matches!(r[0], Ok(Outcome::Posted { .. })));
    assert_eq!(r[1], Err(Rejection::HoldAlreadyResolved(HoldStatus::Posted)));
    assert_eq!(m.accounts[&AccountId(0)].balance, 5);
    assert_eq!(m.run(&[Command::Post(resolve("w"))])[0], Ok(Outcome::Duplicate));
    assert_eq!(m.run(&[Command::Void(resolve("nope"))])[0], Err(Rejection::HoldNotFound));
    m.check_invariants();
}

#[test]
fn posting_a_hold_needs_its_reference_free() {
    let mut m = Mem::with_accounts(1, 2);
    m.run(&[transfer("d", vec![leg(1, 0, 100)])]);
    m.run(&[hold("x", vec![leg(0, 2, 10)]), transfer("x", vec![leg(0, 2, 1)])]);
    assert_eq!(m.run(&[Command::Post(resolve("x"))])[0], Err(Rejection::ReferenceInUse));
    assert!(matches!(m.run(&[Command::Void(resolve("x"))])[0], Ok(Outcome::Voided { .. })));
    m.check_invariants();
}

#[test]
fn closed_accounts_take_no_postings() {
    let mut m = Mem::with_accounts(2, 1);
    m.run(&[transfer("d", vec![leg(2, 0, 10)])]);
    if let Some(a) = m.accounts.get_mut(&AccountId(1)) {
        a.closed = true;
    }
    let r =
        m.run(&[transfer("in", vec![leg(0, 1, 5)]), hold("h", vec![leg(2, 1, 5)]), transfer("ok", vec![leg(0, 2, 5)])]);
    assert_eq!(r[0], Err(Rejection::AccountClosed(AccountId(1))));
    assert_eq!(r[1], Err(Rejection::AccountClosed(AccountId(1))));
    assert!(matches!(r[2], Ok(Outcome::Posted { .. })), "the rest of the batch goes through");
    assert_eq!(m.accounts[&AccountId(1)].balance, 0);
    m.check_invariants();
}

#[test]
fn malformed_commands_are_refused_whole() {
    let mut m = Mem::with_accounts(2, 1);
    m.run(&[transfer("d", vec![leg(2, 0, 10)])]);
    let r = m.run(&[
        transfer("a", vec![leg(0, 0, 1)]),
        transfer("b", vec![]),
        transfer("c", vec![leg(0, 1, 5), leg(0, 99, 1)]),
    ]);
    assert_eq!(r[0], Err(Rejection::SameAccount));
    assert_eq!(r[1], Err(Rejection::BadLegCount));
    assert_eq!(r[2], Err(Rejection::AccountNotFound(AccountId(99))));
    assert_eq!(m.accounts[&AccountId(1)].balance, 0, "the valid first leg of c was not applied");
    m.check_invariants();
}

#[derive(Debug, Clone)]
enum Op {
    Deposit(i64, i64),
    Transfer(i64, i64, i64),
    Hold(i64, i64),
    Post(usize),
    Void(usize),
    Replay(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..4i64, 1..1_000i64).prop_map(|(a, n)| Op::Deposit(a, n)),
        (0..4i64, 0..4i64, 1..1_000i64).prop_map(|(a, b, n)| Op::Transfer(a, b, n)),
        (0..4i64, 1..1_000i64).prop_map(|(a, n)| Op::Hold(a, n)),
        (0..50usize).prop_map(Op::Post),
        (0..50usize).prop_map(Op::Void),
        (0..50usize).prop_map(Op::Replay),
    ]
}

proptest! {
    #[test]
    fn random_batches_never_break_an_invariant(batches in prop::collection::vec(prop::collection::vec(op(), 1..20), 1..10)) {
        // Accounts 0..4 are users; 4 is card clearing, 5 is withdrawal clearing.
        let mut m = Mem::with_accounts(4, 2);
        let mut n = 0;
        let mut holds: Vec<String> = vec![];
        let mut issued: Vec<Command> = vec![];
        for batch in batches {
            let mut cmds = vec![];
            for op in batch {
                n += 1;
                let cmd = match op {
                    Op::Deposit(a, x) => transfer(&format!("r{n}"), vec![leg(4, a, x)]),
                    Op::Transfer(a, b, x) => transfer(&format!("r{n}"), vec![leg(a, b, x)]),
                    Op::Hold(a, x) => {
                        holds.push(format!("h{n}"));
                        hold(&format!("h{n}"), vec![leg(a, 5, x)])
                    }
                    Op::Post(i) if !holds.is_empty() => Command::Post(resolve(&holds[i % holds.len()])),
                    Op::Void(i) if !holds.is_empty() => Command::Void(resolve(&holds[i % holds.len()])),
                    Op::Replay(i) if !issued.is_empty() => issued[i % issued.len()].clone(),
                    _ => continue,
                };
                cmds.push(cmd);
            }
            issued.extend(cmds.iter().cloned());
            m.run(&cmds);
            m.check_invariants();
        }
    }
}
