//! One ledger batch on SQLite: allocate ids, load the snapshot, plan, write the plan.
//!
//! Runs on a blocking thread with the ledger's own rusqlite connection (see [`super::writer`])
//! inside a `BEGIN IMMEDIATE` transaction, so nothing changes between the reads and the writes.
//! Every row is one execution of a cached prepared statement with its values bound directly:
//! no per-statement hop to another thread and no JSON to encode and parse again (that decoding
//! was about a third of SQLite's time in a batch when lists were bound as JSON arrays).

use std::collections::HashSet;

use okpay_domain::time::now_us;
use okpay_ledger::plan::{Needs, References, Snapshot, plan};
use okpay_ledger::{Command, Outcome, Rejection, StorageError};
use rusqlite::{Connection, OptionalExtension};

use crate::error::rusqlite_error;
use crate::rows::Rows;
use crate::snapshot::{self, AccountTuple, HoldTuple, LegTuple};

/// Decides and writes a batch on `conn`, which holds an open write transaction; returns one
/// result per command, or `None` if `refs` is [`References::TrustIndex`] and a reference was
/// taken after all (some rows may be written: roll back).
pub(super) fn run(
    conn: &Connection,
    cmds: &[Command],
    refs: References,
) -> Result<Option<Vec<Result<Outcome, Rejection>>>, StorageError> {
    let ids = allocate_ids(conn, cmds.len())?;
    let snapshot = load(conn, cmds, refs)?;
    let plan = plan(&snapshot, cmds, &ids);
    if refs == References::TrustIndex {
        let refused = Needs::refused_journal_refs(cmds, &plan.results);
        if !taken(conn, &refused).map_err(rusqlite_error)?.is_empty() {
            return Ok(None);
        }
    }
    match write(conn, &Rows::of(&plan)) {
        Ok(()) => Ok(Some(plan.results)),
        Err(Write::JournalTaken(_)) if refs == References::TrustIndex => Ok(None),
        Err(Write::JournalTaken(e) | Write::Other(e)) => Err(rusqlite_error(e)),
    }
}

/// Reserves `n` consecutive journal/hold ids.
fn allocate_ids(conn: &Connection, n: usize) -> Result<Vec<i64>, StorageError> {
    let n = i64::try_from(n).map_err(|_| StorageError { message: "batch too large".into(), retryable: false })?;
    let first: i64 = conn
        .prepare_cached("UPDATE ledger_ids SET next = next + ?1 WHERE id = 1 RETURNING next - ?1")
        .and_then(|mut s| s.query_row([n], |row| row.get(0)))
        .map_err(rusqlite_error)?;
    Ok((first..first + n).collect())
}

fn load(conn: &Connection, cmds: &[Command], refs: References) -> Result<Snapshot, StorageError> {
    let needs = Needs::of(cmds, refs);
    let (journal_refs, holds, legs) = load_references(conn, &needs).map_err(rusqlite_error)?;
    let holds = snapshot::assemble_holds(holds, legs)?;
    let account_ids = Needs::accounts(cmds, &holds);
    let mut accounts: Vec<AccountTuple> = Vec::with_capacity(account_ids.len());
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, currency, kind, balance, debits_pending, credits_pending, closed FROM accounts WHERE id = ?1",
        )
        .map_err(rusqlite_error)?;
    for id in account_ids {
        let row = stmt
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .optional()
            .map_err(rusqlite_error)?;
        // A missing account stays out of the snapshot: the plan rejects its commands.
        accounts.extend(row);
    }
    snapshot::build(journal_refs, holds, accounts)
}

/// The journal references already taken, the holds named, and those holds' legs (by hold id,
/// then seq).
fn load_references(conn: &Connection, needs: &Needs) -> rusqlite::Result<(Vec<String>, Vec<HoldTuple>, Vec<LegTuple>)> {
    let taken = taken(conn, &needs.journal_refs)?;
    let mut holds: Vec<HoldTuple> = Vec::new();
    if !needs.hold_refs.is_empty() {
        let mut stmt =
            conn.prepare_cached("SELECT id, reference, kind, currency, status FROM holds WHERE reference = ?1")?;
        let mut seen = HashSet::with_capacity(needs.hold_refs.len());
        for reference in &needs.hold_refs {
            if seen.insert(reference.as_str()) {
                let row = stmt
                    .query_row([reference], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                    .optional()?;
                holds.extend(row);
            }
        }
    }
    holds.sort_by_key(|h| h.0);
    let mut legs: Vec<LegTuple> = Vec::new();
    if !holds.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT hold_id, debit_account_id, credit_account_id, amount FROM hold_legs
             WHERE hold_id = ?1 ORDER BY seq",
        )?;
        for hold in &holds {
            let mut rows = stmt.query([hold.0])?;
            while let Some(r) = rows.next()? {
                legs.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
            }
        }
    }
    Ok((taken, holds, legs))
}

/// Those of `references` that already have a journal (each once).
fn taken(conn: &Connection, references: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut taken = Vec::new();
    if !references.is_empty() {
        let mut stmt = conn.prepare_cached("SELECT 1 FROM journals WHERE reference = ?1")?;
        let mut seen = HashSet::with_capacity(references.len());
        for reference in references {
            if seen.insert(reference.as_str()) && stmt.exists([reference])? {
                taken.push(reference.clone());
            }
        }
    }
    Ok(taken)
}

/// Runs `sql` once per row, binding what `bind` returns.
fn each<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &'static str,
    rows: &[T],
    bind: impl Fn(&T) -> P,
) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(sql)?;
    for row in rows {
        stmt.execute(bind(row))?;
    }
    Ok(())
}

/// Why writing a plan failed.
enum Write {
    /// The journals insert broke a unique index: a reference (or a hold's one posting) is
    /// taken already.
    JournalTaken(rusqlite::Error),
    /// Anything else.
    Other(rusqlite::Error),
}

impl From<rusqlite::Error> for Write {
    fn from(e: rusqlite::Error) -> Write {
        Write::Other(e)
    }
}

fn write(conn: &Connection, r: &Rows<'_>) -> Result<(), Write> {
    let now = now_us();
    // Relative updates, one per account (the plan sums each account's changes), so the CHECK
    // constraints see each account's final values.
    each(
        conn,
        "UPDATE accounts SET balance = balance + ?2, debits_pending = debits_pending + ?3,
                credits_pending = credits_pending + ?4
         WHERE id = ?1",
        &r.deltas,
        |d| *d,
    )?;
    // Holds before journals: a journal names the hold it posts.
    each(
        conn,
        "INSERT INTO holds (id, reference, kind, currency, status, created_at_us) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
        &r.holds,
        |h| (h.0, h.1, h.2, h.3, now),
    )?;
    each(
        conn,
        "INSERT INTO hold_legs (hold_id, seq, debit_account_id, credit_account_id, amount) VALUES (?1, ?2, ?3, ?4, ?5)",
        &r.legs,
        |l| *l,
    )?;
    each(conn, "UPDATE holds SET status = ?2, resolved_at_us = ?3 WHERE id = ?1", &r.hold_updates, |u| {
        (u.0, u.1, now)
    })?;
    each(
        conn,
        "INSERT INTO journals (id, reference, kind, currency, hold_id, created_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &r.journals,
        |j| (j.0, j.1, j.2, j.3, j.4, now),
    )
    .map_err(|e| match e.sqlite_error().map(|f| f.extended_code) {
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) => Write::JournalTaken(e),
        _ => Write::Other(e),
    })?;
    each(
        conn,
        "INSERT INTO postings (journal_id, seq, account_id, amount) VALUES (?1, ?2, ?3, ?4)",
        &r.postings,
        |p| *p,
    )?;
    // A line id that already exists keeps its row (as `HistoryStore::insert_line` does): one
    // command's reused id must not fail every other command of the batch.
    each(
        conn,
        "INSERT INTO transactions (id, owner, kind, amount_minor, fee_minor, currency, status, initial_status,
                                   source_id, counterparty, description, details, created_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO NOTHING",
        &r.lines,
        |l| (l.0, l.1, l.2, l.3, l.4, l.5, l.6, l.7, l.8, l.9, l.10, l.11),
    )?;
    each(
        conn,
        "INSERT INTO line_notices (txn_id, queued_at_us) VALUES (?1, ?2) ON CONFLICT (txn_id) DO NOTHING",
        &r.notices,
        |n| *n,
    )?;
    each(conn, "UPDATE transactions SET status = ?2 WHERE id = ?1", &r.line_status, |u| *u)?;
    // Events of lines that do not exist are dropped rather than failing the money movement.
    each(
        conn,
        "INSERT INTO transaction_events (txn_id, status, at_us)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM transactions WHERE id = ?1)",
        &r.events,
        |e| *e,
    )?;
    Ok(())
}
