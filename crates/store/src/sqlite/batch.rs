//! One ledger batch on SQLite: allocate ids, load the snapshot, plan, write the plan.
//!
//! The caller holds a `BEGIN IMMEDIATE` transaction, so nothing changes between the reads and
//! the writes. Every list is bound as one JSON array of row arrays and expanded with
//! `json_each`: the number of statements does not grow with the batch.

use okpay_domain::time::now_us;
use okpay_ledger::plan::{Needs, plan};
use okpay_ledger::{Command, Outcome, Rejection, StorageError};
use sqlx::{Sqlite, Transaction};

use crate::error::ledger_error;
use crate::rows::{Rows, to_json};
use crate::snapshot::{self, AccountTuple, HoldTuple, LegTuple};

type Tx = Transaction<'static, Sqlite>;

/// Decides and writes a batch inside `tx`; returns one result per command.
pub(super) async fn run(tx: &mut Tx, cmds: &[Command]) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
    let ids = allocate_ids(tx, cmds.len()).await?;
    let snapshot = load(tx, cmds).await?;
    let plan = plan(&snapshot, cmds, &ids);
    write(tx, &Rows::of(&plan)).await?;
    Ok(plan.results)
}

/// Reserves `n` consecutive journal/hold ids.
async fn allocate_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>, StorageError> {
    let n = i64::try_from(n).map_err(|_| StorageError { message: "batch too large".into(), retryable: false })?;
    let first: i64 = sqlx::query_scalar("UPDATE ledger_ids SET next = next + $1 WHERE id = 1 RETURNING next - $1")
        .bind(n)
        .fetch_one(&mut **tx)
        .await
        .map_err(ledger_error)?;
    Ok((first..first + n).collect())
}

async fn load(tx: &mut Tx, cmds: &[Command]) -> Result<okpay_ledger::plan::Snapshot, StorageError> {
    let needs = Needs::of(cmds);
    let journal_refs: Vec<String> = if needs.journal_refs.is_empty() {
        Vec::new()
    } else {
        sqlx::query_scalar("SELECT reference FROM journals WHERE reference IN (SELECT value FROM json_each($1))")
            .bind(to_json(&needs.journal_refs)?)
            .fetch_all(&mut **tx)
            .await
            .map_err(ledger_error)?
    };
    let holds: Vec<HoldTuple> = if needs.hold_refs.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT id, reference, kind, currency, status FROM holds
             WHERE reference IN (SELECT value FROM json_each($1))",
        )
        .bind(to_json(&needs.hold_refs)?)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)?
    };
    let legs: Vec<LegTuple> = if holds.is_empty() {
        Vec::new()
    } else {
        let hold_ids: Vec<i64> = holds.iter().map(|h| h.0).collect();
        sqlx::query_as(
            "SELECT hold_id, debit_account_id, credit_account_id, amount FROM hold_legs
             WHERE hold_id IN (SELECT value FROM json_each($1)) ORDER BY hold_id, seq",
        )
        .bind(to_json(&hold_ids)?)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)?
    };
    let holds = snapshot::assemble_holds(holds, legs)?;
    let account_ids = Needs::accounts(cmds, &holds);
    let accounts: Vec<AccountTuple> = if account_ids.is_empty() {
        Vec::new()
    } else {
        let ids: Vec<i64> = account_ids.iter().map(|a| a.0).collect();
        sqlx::query_as(
            "SELECT id, currency, kind, balance, debits_pending, credits_pending, closed FROM accounts
             WHERE id IN (SELECT value FROM json_each($1))",
        )
        .bind(to_json(&ids)?)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)?
    };
    snapshot::build(journal_refs, holds, accounts)
}

/// Runs `sql` with the rows as `$1` (and `now`, if given, as `$2`), unless there are no rows.
async fn write_rows<T: serde::Serialize>(
    tx: &mut Tx,
    sql: &'static str,
    rows: &[T],
    now: Option<i64>,
) -> Result<(), StorageError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut q = sqlx::query(sql).bind(to_json(rows)?);
    if let Some(now) = now {
        q = q.bind(now);
    }
    q.execute(&mut **tx).await.map_err(ledger_error)?;
    Ok(())
}

async fn write(tx: &mut Tx, r: &Rows<'_>) -> Result<(), StorageError> {
    let now = now_us();
    // Relative updates: the CHECK constraints see the final values of each account.
    write_rows(
        tx,
        "UPDATE accounts SET balance = balance + (d.value ->> 1),
                debits_pending = debits_pending + (d.value ->> 2),
                credits_pending = credits_pending + (d.value ->> 3)
         FROM json_each($1) AS d WHERE accounts.id = (d.value ->> 0)",
        &r.deltas,
        None,
    )
    .await?;
    // Holds before journals: a journal names the hold it posts.
    write_rows(
        tx,
        "INSERT INTO holds (id, reference, kind, currency, status, created_at_us)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, 'pending', $2 FROM json_each($1)",
        &r.holds,
        Some(now),
    )
    .await?;
    write_rows(
        tx,
        "INSERT INTO hold_legs (hold_id, seq, debit_account_id, credit_account_id, amount)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each($1)",
        &r.legs,
        None,
    )
    .await?;
    write_rows(
        tx,
        "UPDATE holds SET status = u.value ->> 1, resolved_at_us = $2
         FROM json_each($1) AS u WHERE holds.id = (u.value ->> 0)",
        &r.hold_updates,
        Some(now),
    )
    .await?;
    write_rows(
        tx,
        "INSERT INTO journals (id, reference, kind, currency, hold_id, created_at_us)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, $2 FROM json_each($1)",
        &r.journals,
        Some(now),
    )
    .await?;
    write_rows(
        tx,
        "INSERT INTO postings (journal_id, seq, account_id, amount)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($1)",
        &r.postings,
        None,
    )
    .await?;
    // A line id that already exists keeps its row (as `HistoryStore::insert_line` does): one
    // command's reused id must not fail every other command of the batch.
    write_rows(
        tx,
        "INSERT INTO transactions (id, owner, kind, amount_minor, fee_minor, currency, status, initial_status,
                                   source_id, counterparty, description, details, created_at_us)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
                value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11
         FROM json_each($1) WHERE true ON CONFLICT (id) DO NOTHING",
        &r.lines,
        None,
    )
    .await?;
    write_rows(
        tx,
        "INSERT INTO line_notices (txn_id, queued_at_us)
         SELECT value ->> 0, value ->> 1 FROM json_each($1) WHERE true ON CONFLICT (txn_id) DO NOTHING",
        &r.notices,
        None,
    )
    .await?;
    write_rows(
        tx,
        "UPDATE transactions SET status = u.value ->> 1
         FROM json_each($1) AS u WHERE transactions.id = (u.value ->> 0)",
        &r.line_status,
        None,
    )
    .await?;
    // Events of lines that do not exist are dropped rather than failing the money movement.
    write_rows(
        tx,
        "INSERT INTO transaction_events (txn_id, status, at_us)
         SELECT e.value ->> 0, e.value ->> 1, e.value ->> 2 FROM json_each($1) AS e
         WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.id = (e.value ->> 0))
         ORDER BY e.key",
        &r.events,
        None,
    )
    .await
}
