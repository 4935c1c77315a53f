//! Property test: random deposits, transfers, holds, posts, voids and replays, in random batch
//! sizes, against an in-memory model of the books. One database per backend, reused by every
//! case with fresh accounts and references.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use okpay_domain::Currency;
use okpay_ledger::{AccountId, AccountKind, Command, HoldStatus, Outcome, Rejection};
use okpay_store::testing::TestBackend;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::{Books, R, TestResult, hold, post, transfer, void};

const USERS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Deposit {
        to: usize,
        amount: i64,
    },
    Transfer {
        from: usize,
        to: usize,
        amount: i64,
    },
    /// `to == USERS` means the system account (a withdrawal).
    Hold {
        from: usize,
        to: usize,
        amount: i64,
    },
    Post {
        hold: usize,
    },
    Void {
        hold: usize,
    },
    Replay {
        op: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..USERS, 1..500_i64).prop_map(|(to, amount)| Op::Deposit { to, amount }),
        (0..USERS, 0..USERS, 1..300_i64).prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
        (0..USERS, 0..=USERS, 1..300_i64).prop_map(|(from, to, amount)| Op::Hold { from, to, amount }),
        any::<usize>().prop_map(|hold| Op::Post { hold }),
        any::<usize>().prop_map(|hold| Op::Void { hold }),
        any::<usize>().prop_map(|op| Op::Replay { op }),
    ]
}

/// The books as the rules say they should be: `(kind, balance, debits_pending, credits_pending)`.
#[derive(Default)]
struct Model {
    accounts: HashMap<AccountId, (AccountKind, i64, i64, i64)>,
    journals: HashSet<String>,
    holds: HashMap<String, (AccountId, AccountId, i64, HoldStatus)>,
}

impl Model {
    fn apply(&mut self, cmd: &Command) -> Result<&'static str, Rejection> {
        match cmd {
            Command::Transfer(t) => {
                if self.journals.contains(&t.reference) {
                    return Ok("duplicate");
                }
                let (d, c, amount) = (t.legs[0].debit, t.legs[0].credit, t.legs[0].amount.minor());
                self.check(d, c, amount)?;
                self.change(d, -amount, 0, 0);
                self.change(c, amount, 0, 0);
                self.journals.insert(t.reference.clone());
                Ok("posted")
            }
            Command::Hold(h) => {
                if self.holds.contains_key(&h.reference) {
                    return Ok("duplicate");
                }
                let (d, c, amount) = (h.legs[0].debit, h.legs[0].credit, h.legs[0].amount.minor());
                self.check(d, c, amount)?;
                self.change(d, 0, amount, 0);
                self.change(c, 0, 0, amount);
                self.holds.insert(h.reference.clone(), (d, c, amount, HoldStatus::Pending));
                Ok("held")
            }
            Command::Post(r) | Command::Void(r) => {
                let posting = matches!(cmd, Command::Post(_));
                let (d, c, amount, status) = *self.holds.get(&r.hold_reference).ok_or(Rejection::HoldNotFound)?;
                match (status, posting) {
                    (HoldStatus::Posted, true) | (HoldStatus::Voided, false) => return Ok("duplicate"),
                    (HoldStatus::Pending, _) => {}
                    (other, _) => return Err(Rejection::HoldAlreadyResolved(other)),
                }
                let settled = if posting { amount } else { 0 };
                self.change(d, -settled, -amount, 0);
                self.change(c, settled, 0, -amount);
                let status = if posting { HoldStatus::Posted } else { HoldStatus::Voided };
                self.holds.insert(r.hold_reference.clone(), (d, c, amount, status));
                Ok(if posting { "posted" } else { "voided" })
            }
        }
    }

    fn check(&self, debit: AccountId, credit: AccountId, amount: i64) -> Result<(), Rejection> {
        if debit == credit {
            return Err(Rejection::SameAccount);
        }
        let (kind, balance, pending, _) = self.accounts[&debit];
        if kind == AccountKind::User && balance - pending - amount < 0 {
            return Err(Rejection::InsufficientFunds(debit));
        }
        Ok(())
    }

    fn change(&mut self, id: AccountId, balance: i64, debits: i64, credits: i64) {
        if let Some(a) = self.accounts.get_mut(&id) {
            a.1 += balance;
            a.2 += debits;
            a.3 += credits;
        }
    }
}

fn outcome(r: &Result<Outcome, Rejection>) -> Result<&'static str, Rejection> {
    match r {
        Ok(Outcome::Posted { .. }) => Ok("posted"),
        Ok(Outcome::Held { .. }) => Ok("held"),
        Ok(Outcome::Voided { .. }) => Ok("voided"),
        Ok(Outcome::Duplicate) => Ok("duplicate"),
        Err(e) => Err(e.clone()),
    }
}

fn commands(case: usize, ops: &[Op], users: &[AccountId], sys: AccountId) -> R<Vec<Command>> {
    let mut cmds: Vec<Command> = Vec::new();
    let mut holds: Vec<String> = Vec::new();
    let target = |to: usize| users.get(to).copied().unwrap_or(sys);
    let pick = |holds: &[String], k: usize| holds.get(k % holds.len().max(1)).cloned().unwrap_or("none".into());
    for (i, op) in ops.iter().enumerate() {
        let cmd = match *op {
            Op::Deposit { to, amount } => transfer(&format!("p{case}_d{i}"), sys, users[to], amount)?,
            Op::Transfer { from, to, amount } => transfer(&format!("p{case}_t{i}"), users[from], users[to], amount)?,
            Op::Hold { from, to, amount } => {
                holds.push(format!("p{case}_h{i}"));
                hold(&format!("p{case}_h{i}"), users[from], target(to), amount)?
            }
            Op::Post { hold } => post(&pick(&holds, hold)),
            Op::Void { hold } => void(&pick(&holds, hold)),
            Op::Replay { op } if !cmds.is_empty() => cmds[op % cmds.len()].clone(),
            Op::Replay { .. } => continue,
        };
        cmds.push(cmd);
    }
    Ok(cmds)
}

async fn one_case(books: &Books, case: usize, ops: &[Op], chunk: usize) -> R<()> {
    let mut model = Model::default();
    let mut owners = Vec::new();
    let mut users = Vec::new();
    for u in 0..USERS {
        owners.push(format!("p{case}_u{u}"));
        users.push(books.user(&owners[u]).await?);
        model.accounts.insert(users[u], (AccountKind::User, 0, 0, 0));
    }
    owners.push(format!("p{case}_sys"));
    let sys = books.stores.ledger.open_account(&owners[USERS], Currency::Usd, AccountKind::System).await?;
    model.accounts.insert(sys, (AccountKind::System, 0, 0, 0));

    let cmds = commands(case, ops, &users, sys)?;
    let mut got = Vec::new();
    for batch in cmds.chunks(chunk) {
        got.extend(books.stores.ledger.execute(batch).await?.iter().map(outcome));
    }
    let want: Vec<_> = cmds.iter().map(|c| model.apply(c)).collect();
    if got != want {
        return Err(format!("outcomes differ:\n got {got:?}\nwant {want:?}").into());
    }
    for (owner, id) in owners.iter().zip(users.iter().chain([&sys])) {
        let a = books.stores.ledger.accounts_of(owner).await?.pop().ok_or("account missing")?;
        let (_, balance, debits, credits) = model.accounts[id];
        if (a.balance, a.debits_pending, a.credits_pending) != (balance, debits, credits) {
            return Err(format!("{owner}: stored {a:?}, model ({balance}, {debits}, {credits})").into());
        }
    }
    let report = books.stores.ledger.verify().await?;
    if !report.is_ok() {
        return Err(format!("verify failed: {:?}", report.checks).into());
    }
    Ok(())
}

fn run(backend: TestBackend) -> TestResult {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let Some(books) = rt.block_on(Books::new(backend))? else { return Ok(()) };
    let case = AtomicUsize::new(0);
    let config = Config { cases: 16, max_shrink_iters: 64, failure_persistence: None, ..Config::default() };
    TestRunner::new(config)
        .run(&(vec(op(), 1..40), 1..8_usize), |(ops, chunk)| {
            let n = case.fetch_add(1, Ordering::SeqCst);
            rt.block_on(one_case(&books, n, &ops, chunk)).map_err(|e| TestCaseError::fail(e.to_string()))
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[test]
fn ledger_matches_model_sqlite() -> TestResult {
    run(TestBackend::Sqlite)
}

#[test]
fn ledger_matches_model_postgres() -> TestResult {
    run(TestBackend::Postgres)
}
