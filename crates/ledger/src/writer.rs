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
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < config.max_batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let cmds: Vec<Command> = jobs.iter().map(|j| j.cmd.clone()).collect();
        let started = Instant::now();
        let result = execute_with_retry(store.as_ref(), &cmds, config.max_attempts).await;
        metrics::histogram!("okpay_ledger_batch_size").record(cmds.len() as f64);
        metrics::histogram!("okpay_ledger_batch_seconds").record(started.elapsed().as_secs_f64());
        metrics::counter!("okpay_ledger_commands_total").increment(cmds.len() as u64);
        match result {
            Ok(results) => {
                for (job, r) in jobs.drain(..).zip(results) {
                    // A dropped receiver means the caller went away; the result stands.
                    let _ = job.reply.send(r.map_err(LedgerError::Rejected));
                }
            }
            Err(e) => {
                error!(error = %e, batch = cmds.len(), "ledger batch failed");
                for job in jobs.drain(..) {
                    let _ = job.reply.send(Err(LedgerError::Unavailable(e.message.clone())));
                }
            }
        }
    }
}

async fn execute_with_retry(
    store: &dyn LedgerStore,
    cmds: &[Command],
    max_attempts: u32,
) -> Result<Vec<Result<Outcome, Rejection>>, StorageError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match store.execute(cmds).await {
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
