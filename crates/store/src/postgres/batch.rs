//! One ledger batch on PostgreSQL: allocate ids, lock and load the snapshot, plan, write.
//!
//! Locks are taken holds first, then accounts, each in ascending id order, so concurrent
//! batches (in this or another process) queue instead of deadlocking. Every list is bound as
//! one array per column and expanded with `UNNEST`: the statement count is constant.

use okpay_domain::time::now_us;
use okpay_ledger::plan::{Needs, References, Snapshot, plan};
use okpay_ledger::{Command, Outcome, Rejection, StorageError};
use sqlx::{Postgres, Transaction};

use crate::error::{PG_UNIQUE_VIOLATION, ledger_error, pg_code};
use crate::rows::Rows;
use crate::snapshot::{self, AccountTuple, HoldTuple, LegTuple};

type Tx = Transaction<'static, Postgres>;

/// Decides and writes a batch inside `tx`; returns one result per command, or `None` if `refs`
/// is [`References::TrustIndex`] and a journal reference was taken after all (the
/// transaction is aborted: roll it back).
pub(super) async fn run(
    tx: &mut Tx,
    cmds: &[Command],
    refs: References,
) -> Result<Option<Vec<Result<Outcome, Rejection>>>, StorageError> {
    let n =
        i64::try_from(cmds.len()).map_err(|_| StorageError { message: "batch too large".into(), retryable: false })?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT nextval('ledger_ids') FROM generate_series(1::bigint, $1::bigint)")
        .bind(n)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)?;
    let snapshot = load(tx, cmds, refs).await?;
    let plan = plan(&snapshot, cmds, &ids);
    if refs == References::TrustIndex {
        let refused = Needs::refused_journal_refs(cmds, &plan.results);
        if !taken(tx, &refused).await?.is_empty() {
            return Ok(None);
        }
    }
    match write(tx, &Rows::of(&plan)).await {
        Ok(()) => Ok(Some(plan.results)),
        Err(Write::JournalTaken(_)) if refs == References::TrustIndex => Ok(None),
        Err(Write::JournalTaken(e)) => Err(ledger_error(e)),
        Err(Write::Other(e)) => Err(e),
    }
}

/// Why writing a plan failed.
enum Write {
    /// The journals insert broke a unique index: a reference is taken already (perhaps by a
    /// concurrent batch of another process).
    JournalTaken(sqlx::Error),
    /// Anything else.
    Other(StorageError),
}

impl From<StorageError> for Write {
    fn from(e: StorageError) -> Write {
        Write::Other(e)
    }
}

async fn load(tx: &mut Tx, cmds: &[Command], refs: References) -> Result<Snapshot, StorageError> {
    let needs = Needs::of(cmds, refs);
    let holds: Vec<HoldTuple> = if needs.hold_refs.is_empty() {
        Vec::new()
    } else {
        // Locked: a concurrent post and void of one hold must see each other's result.
        sqlx::query_as(
            "SELECT id, reference, kind, currency, status FROM holds
             WHERE reference = ANY($1::text[]) ORDER BY id FOR UPDATE",
        )
        .bind(&needs.hold_refs)
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
             WHERE hold_id = ANY($1::bigint[]) ORDER BY hold_id, seq",
        )
        .bind(hold_ids)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)?
    };
    let holds = snapshot::assemble_holds(holds, legs)?;
    let account_ids: Vec<i64> = Needs::accounts(cmds, &holds).iter().map(|a| a.0).collect();
    let accounts: Vec<AccountTuple> = if account_ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT id, currency, kind, balance, debits_pending, credits_pending, closed FROM accounts
             WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        )
        .bind(account_ids)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)?
    };
    // Looked up only now, under the account locks: a concurrent batch with the same reference
    // touched the same accounts, so it has committed by now and its journal is visible here
    // (READ COMMITTED reads the latest commit per statement). That avoids most retries; the
    // unique index still catches the rest.
    let journal_refs = taken(tx, &needs.journal_refs).await?;
    snapshot::build(journal_refs, holds, accounts)
}

/// Those of `references` that already have a journal.
async fn taken(tx: &mut Tx, references: &[String]) -> Result<Vec<String>, StorageError> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT reference FROM journals WHERE reference = ANY($1::text[])")
        .bind(references)
        .fetch_all(&mut **tx)
        .await
        .map_err(ledger_error)
}

/// One column of every row. (Sequence numbers are bound as `int`: they index at most
/// `2 * MAX_LEGS` postings, so `as i32` cannot truncate.)
fn col<R, T>(rows: &[R], f: impl Fn(&R) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

async fn exec(
    tx: &mut Tx,
    q: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
) -> Result<(), StorageError> {
    q.execute(&mut **tx).await.map_err(ledger_error)?;
    Ok(())
}

async fn write(tx: &mut Tx, r: &Rows<'_>) -> Result<(), Write> {
    let now = now_us();
    // Holds before journals: a journal names the hold it posts.
    if !r.holds.is_empty() {
        let q = sqlx::query(
            "INSERT INTO holds (id, reference, kind, currency, status, created_at_us)
             SELECT id, reference, kind, currency, 'pending', $5
             FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[]) AS h(id, reference, kind, currency)",
        );
        let h = &r.holds;
        let q = q.bind(col(h, |x| x.0)).bind(col(h, |x| x.1)).bind(col(h, |x| x.2)).bind(col(h, |x| x.3));
        exec(tx, q.bind(now)).await?;
    }
    if !r.legs.is_empty() {
        let q = sqlx::query(
            "INSERT INTO hold_legs (hold_id, seq, debit_account_id, credit_account_id, amount)
             SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[])",
        );
        let l = &r.legs;
        let q = q.bind(col(l, |x| x.0)).bind(col(l, |x| x.1 as i32)).bind(col(l, |x| x.2));
        exec(tx, q.bind(col(l, |x| x.3)).bind(col(l, |x| x.4))).await?;
    }
    if !r.hold_updates.is_empty() {
        let q = sqlx::query(
            "UPDATE holds h SET status = u.status, resolved_at_us = $3
             FROM UNNEST($1::bigint[], $2::text[]) AS u(id, status) WHERE h.id = u.id",
        );
        let u = &r.hold_updates;
        exec(tx, q.bind(col(u, |x| x.0)).bind(col(u, |x| x.1)).bind(now)).await?;
    }
    if !(r.deltas.is_empty() && r.journals.is_empty() && r.postings.is_empty() && r.lines.is_empty()) {
        money_rows(r, now).execute(&mut **tx).await.map_err(|e| {
            // Of this statement's inserts only the journals' can break a unique index (a
            // reference, or a hold's one posting): the others write fresh keys or skip
            // conflicts.
            if pg_code(&e).as_deref() == Some(PG_UNIQUE_VIOLATION) {
                Write::JournalTaken(e)
            } else {
                Write::Other(ledger_error(e))
            }
        })?;
    }
    Ok(write_lines(tx, r).await?)
}

/// The balances, journals, postings, history rows and their notices of a batch: one
/// statement, so the accounts stay locked for one round trip to the server rather than five.
///
/// Data-modifying `WITH` parts all run, to completion, whatever the main query reads; none
/// reads another's rows. Relative balance updates let the CHECK constraints see each
/// account's final values. A history row whose id exists already keeps its row (as
/// `HistoryStore::insert_line` does): one command's reused id must not fail every other
/// command of the batch.
fn money_rows<'q>(r: &Rows<'q>, now: i64) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    let q = sqlx::query(
        "WITH balances AS (
             UPDATE accounts a SET balance = a.balance + d.balance,
                    debits_pending = a.debits_pending + d.debits_pending,
                    credits_pending = a.credits_pending + d.credits_pending
             FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])
                  AS d(id, balance, debits_pending, credits_pending)
             WHERE a.id = d.id
         ), journal_rows AS (
             INSERT INTO journals (id, reference, kind, currency, hold_id, created_at_us)
             SELECT id, reference, kind, currency, hold_id, $5
             FROM UNNEST($6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[])
                  AS j(id, reference, kind, currency, hold_id)
         ), posting_rows AS (
             INSERT INTO postings (journal_id, seq, account_id, amount)
             SELECT * FROM UNNEST($11::bigint[], $12::int[], $13::bigint[], $14::bigint[])
         ), line_rows AS (
             INSERT INTO transactions (id, owner, kind, amount_minor, fee_minor, currency, status, initial_status,
                                       source_id, counterparty, description, details, created_at_us)
             SELECT id, owner, kind, amount_minor, fee_minor, currency, status, status,
                    source_id, counterparty, description, details, created_at_us
             FROM UNNEST($15::text[], $16::text[], $17::text[], $18::bigint[], $19::bigint[], $20::text[],
                         $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::bigint[])
                  AS l(id, owner, kind, amount_minor, fee_minor, currency, status,
                       source_id, counterparty, description, details, created_at_us)
             ON CONFLICT (id) DO NOTHING
         )
         INSERT INTO line_notices (txn_id, queued_at_us)
         SELECT * FROM UNNEST($27::text[], $28::bigint[]) ON CONFLICT (txn_id) DO NOTHING",
    );
    let d = &r.deltas;
    let q = q.bind(col(d, |x| x.0)).bind(col(d, |x| x.1)).bind(col(d, |x| x.2)).bind(col(d, |x| x.3)).bind(now);
    let j = &r.journals;
    let q = q.bind(col(j, |x| x.0)).bind(col(j, |x| x.1)).bind(col(j, |x| x.2)).bind(col(j, |x| x.3));
    let q = q.bind(col(j, |x| x.4));
    let p = &r.postings;
    let q = q.bind(col(p, |x| x.0)).bind(col(p, |x| x.1 as i32)).bind(col(p, |x| x.2)).bind(col(p, |x| x.3));
    let l = &r.lines;
    let q = q.bind(col(l, |x| x.0)).bind(col(l, |x| x.1)).bind(col(l, |x| x.2)).bind(col(l, |x| x.3));
    let q = q.bind(col(l, |x| x.4)).bind(col(l, |x| x.5)).bind(col(l, |x| x.6)).bind(col(l, |x| x.7));
    let q = q.bind(col(l, |x| x.8)).bind(col(l, |x| x.9)).bind(col(l, |x| x.10)).bind(col(l, |x| x.11));
    let n = &r.notices;
    q.bind(col(n, |x| x.0)).bind(col(n, |x| x.1))
}

/// Status changes and events of existing history rows (after the batch's new rows).
async fn write_lines(tx: &mut Tx, r: &Rows<'_>) -> Result<(), StorageError> {
    if !r.line_status.is_empty() {
        let q = sqlx::query(
            "UPDATE transactions t SET status = u.status
             FROM UNNEST($1::text[], $2::text[]) AS u(id, status) WHERE t.id = u.id",
        );
        let u = &r.line_status;
        exec(tx, q.bind(col(u, |x| x.0)).bind(col(u, |x| x.1))).await?;
    }
    if !r.events.is_empty() {
        // Events of lines that do not exist are dropped rather than failing the money movement.
        let q = sqlx::query(
            "INSERT INTO transaction_events (txn_id, status, at_us)
             SELECT e.txn_id, e.status, e.at_us
             FROM UNNEST($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS e(txn_id, status, at_us, ord)
             WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.id = e.txn_id)
             ORDER BY e.ord",
        );
        let e = &r.events;
        exec(tx, q.bind(col(e, |x| x.0)).bind(col(e, |x| x.1)).bind(col(e, |x| x.2))).await?;
    }
    Ok(())
}
