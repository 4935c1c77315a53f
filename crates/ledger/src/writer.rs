//! Group commit: one task per process owns the write path of the books.
//!
//! Requests [`Ledger::submit`] commands into a bounded queue. The writer takes whatever is
//! waiting (up to `max_batch`) and runs it as one database transaction, so one fsync covers
//! many transfers. It never waits for a batch to fill: a lone command runs at once, and while
//! one batch commits the next one gathers. A full queue answers [`LedgerError::Busy`] at once
//! (the caller maps it to 503 `service_busy`): a bounded queue keeps latency bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tracing::{error, warn};

use crate::model::{Command, Outcome, Rejection};
use crate::store::{LedgerStore, StorageError};

/// Limits of the writer.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most commands in one database transaction.
    pub max_batch: usize,
    /// Most commands waiting; beyond it, submissions are refused as busy.
    pub queue_capacity: usize,
    /// Tries per batch on retryable storage errors.
    pub max_attempts: u32,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig { max_batch: 8_190, queue_capacity: 65_536, max_attempts: 5 }
    }
}

/// Why a submission did not take effect.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LedgerError {
    /// The ledger refused the command; nothing was written.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The queue is full; try again shortly.
    #[error("the ledger is busy")]
    Busy,
    /// Storage failed; the command may or may not have been written. Retrying with the same
    /// reference is safe.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The writer has stopped (shutdown).
    #[error("the ledger is shutting down")]
    Stopped,
}

struct Job {
    cmd: Command,
    reply: oneshot::Sender<Result<Outcome, LedgerError>>,
}

/// A handle to the books: submit commands, read accounts.
#[derive(Clone)]
pub struct Ledger {
    queue: mpsc::Sender<Job>,
    store: Arc<dyn LedgerStore>,
}

impl Ledger {
    /// Starts the writer task. It stops once every `Ledger` handle is dropped and the queue
    /// is drained, which is what graceful shutdown waits for.
    pub fn start(store: Arc<dyn LedgerStore>, config: WriterConfig) -> (Ledger, tokio::task::JoinHandle<()>) {
        let (queue, rx) = mpsc::channel(config.queue_capacity.max(1));
        let task = tokio::spawn(run(store.clone(), rx, config));
        (Ledger { queue, store }, task)
    }

    /// Submits a command and waits for its batch to commit.
    pub async fn submit(&self, cmd: Command) -> Result<Outcome, LedgerError> {
        let (reply, rx) = oneshot::channel();
        self.queue.try_send(Job { cmd, reply }).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => LedgerError::Busy,
            mpsc::error::TrySendError::Closed(_) => LedgerError::Stopped,
        })?;
        rx.await.map_err(|_| LedgerError::Stopped)?
    }

    /// The storage behind the books, for reads.
    pub fn store(&self) -> &Arc<dyn LedgerStore> {
        &self.store
    }
}

async fn run(store: Arc<dyn LedgerStore>, mut rx: mpsc::Receiver<Job>, config: WriterConfig) {
    let mut jobs: Vec<Job> = Vec::with_capacity(config.max_batch);
    // The previous batch's answers, sent by a task of their own while the next batch runs.
    let mut answering: Option<tokio::task::JoinHandle<()>> = None;
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < config.max_batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        // The commands move into one shared batch (no copy of each command); the replies wait.
        let (cmds, replies): (Vec<Command>, Vec<_>) = jobs.drain(..).map(|j| (j.cmd, j.reply)).unzip();
        let cmds: Arc<[Command]> = cmds.into();
        let started = Instant::now();
        let results = execute_isolating(store.as_ref(), cmds.clone(), config.max_attempts).await;
        metrics::histogram!("okpay_ledger_batch_size").record(cmds.len() as f64);
        metrics::histogram!("okpay_ledger_batch_seconds").record(started.elapsed().as_secs_f64());
        metrics::counter!("okpay_ledger_commands_total").increment(cmds.len() as u64);
        // Long done (it had a whole batch's time): answers go out in batch order.
        if let Some(previous) = answering.take() {
            let _ = previous.await;
        }
        answering = Some(tokio::spawn(answer(replies, results, cmds)));
    }
    // Shutdown waits for the last answers too: a committed command is never left unanswered.
    if let Some(last) = answering {
        let _ = last.await;
    }
}

/// Wakes each submitter with its result, then frees the batch's commands. Thousands of
/// wake-ups and frees: done beside the next batch rather than before it (about 5 % of a full
/// batch's time on SQLite).
async fn answer(
    replies: Vec<oneshot::Sender<Result<Outcome, LedgerError>>>,
    results: Vec<Result<Outcome, LedgerError>>,
    cmds: Arc<[Command]>,
) {
    for (reply, r) in replies.into_iter().zip(results) {
        // A dropped receiver means the caller went away; the result stands.
        let _ = reply.send(r);
    }
    drop(cmds);
}

/// Runs a batch; if it fails for a reason retrying cannot fix, runs each half on its own so
/// one bad command cannot fail thousands of good ones (it fails alone, at depth log2(batch)).
async fn execute_isolating(
    store: &dyn LedgerStore,
    cmds: Arc<[Command]>,
    max_attempts: u32,
) -> Vec<Result<Outcome, LedgerError>> {
    let mut out = Vec::with_capacity(cmds.len());
    // Explicit stack instead of recursion: async recursion would need boxing.
    let mut stack = vec![cmds];
    while let Some(part) = stack.pop() {
        match execute_with_retry(store, &part, max_attempts).await {
            Ok(results) => out.extend(results.into_iter().map(|r| r.map_err(LedgerError::Rejected))),
            Err(e) if part.len() > 1 && !e.retryable => {
                // Only after a failure: the halves are copies.
                let (left, right) = part.split_at(part.len() / 2);
                // Right first: the stack pops the left half next, keeping submission order.
                stack.push(right.into());
                stack.push(left.into());
            }
            Err(e) => {
                error!(error = %e, batch = part.len(), "ledger batch failed");
                out.extend(part.iter().map(|_| Err(LedgerError::Unavailable(e.message.clone()))));
            }
        }
    }
    out
}

async fn execute_with_retry(
    store: &dyn LedgerStore,
    cmds: &Arc<[Command]>,
    max_attempts: u32,
) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match store.execute_shared(cmds.clone()).await {
            Ok(r) if r.len() == cmds.len() => return Ok(r),
            Ok(r) => {
                return Err(StorageError {
                    message: format!("backend returned {} results for {} commands", r.len(), cmds.len()),
                    retryable: false,
                });
            }
            Err(e) if e.retryable && attempt < max_attempts => {
                warn!(error = %e, attempt, "retrying ledger batch");
                tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use okpay_domain::{Amount, Currency};

    use super::*;
    use crate::model::{AccountId, AccountKind, AccountState, Leg, Transfer};
    use crate::verify::VerifyReport;

    /// Fails, non-retryably, any batch containing the reference "poison".
    struct Poisoned {
        calls: AtomicUsize,
    }

    #[async_trait]
    impl LedgerStore for Poisoned {
        async fn execute(&self, cmds: &[Command]) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            if cmds.iter().any(|c| c.reference() == "poison") {
                return Err(StorageError { message: "constraint".into(), retryable: false });
            }
            Ok(cmds.iter().map(|_| Ok(Outcome::Posted { journal_id: 1 })).collect())
        }
        async fn open_account(&self, _: &str, _: Currency, _: AccountKind) -> Result<AccountId, StorageError> {
            Ok(AccountId(1))
        }
        async fn accounts_of(&self, _: &str) -> Result<Vec<AccountState>, StorageError> {
            Ok(vec![])
        }
        async fn verify(&self) -> Result<VerifyReport, StorageError> {
            Ok(VerifyReport { checks: vec![], journals: 0, accounts: 0 })
        }
    }

    fn cmd(reference: &str) -> Command {
        let amount = Amount::new(1).expect("amount");
        Command::Transfer(Transfer {
            reference: reference.into(),
            kind: "transfer".into(),
            currency: Currency::Usd,
            legs: vec![Leg { debit: AccountId(1), credit: AccountId(2), amount }],
            lines: vec![],
        })
    }

    #[tokio::test]
    async fn a_poisoned_command_fails_alone() {
        let store = Poisoned { calls: AtomicUsize::new(0) };
        let cmds: Arc<[Command]> = (0..64).map(|i| cmd(if i == 37 { "poison" } else { "ok" })).collect();
        let results = execute_isolating(&store, cmds, 1).await;
        assert_eq!(results.len(), 64);
        for (i, r) in results.iter().enumerate() {
            assert_eq!(r.is_err(), i == 37, "command {i}");
        }
        // Bisection: about 2·log2(64) batches, not 64.
        assert!(store.calls.load(Ordering::Relaxed) <= 13, "{} calls", store.calls.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn the_writer_answers_each_submitter() {
        let store: Arc<dyn LedgerStore> = Arc::new(Poisoned { calls: AtomicUsize::new(0) });
        let (ledger, task) = Ledger::start(store, WriterConfig::default());
        let ok = ledger.submit(cmd("fine")).await;
        let bad = ledger.submit(cmd("poison")).await;
        assert!(matches!(ok, Ok(Outcome::Posted { .. })));
        assert!(matches!(bad, Err(LedgerError::Unavailable(_))));
        drop(ledger);
        task.await.expect("writer stops when the last handle is dropped");
    }
}
