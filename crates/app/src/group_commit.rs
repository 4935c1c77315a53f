//! Group commit for rows that are written after the money moved: idempotent responses, risk
//! flags ([`AfterMoney`]: both kinds share a commit).
//!
//! One commit per row would cost one fsync per row and, on SQLite, a turn at the single write
//! lock; under load that, not the ledger, limits throughput. A [`GroupCommit`] writer takes
//! whatever rows are waiting (up to [`MAX_BATCH`]) and stores them with one call of its write
//! function (one transaction), as the ledger's writer does for money. A caller waits for its
//! batch, so a row is durable when [`GroupCommit::write`] returns; light traffic is not
//! delayed, because the writer never waits for a batch to fill.
//!
//! The same machinery, [`Batcher`], also batches reads that answer each caller: the risk
//! rules' reads after a movement (one statement for a batch of rows on PostgreSQL).

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;
use crate::ports::{AppStore, FlagRecord, KeyedResponse};

/// Most rows stored in one commit.
pub const MAX_BATCH: usize = 512;

/// Rows waiting for the writer before callers wait for room (backpressure).
const QUEUE_CAPACITY: usize = 4 * MAX_BATCH;

/// A row written after the money moved.
#[derive(Debug, Clone)]
pub enum AfterMoney {
    /// An idempotent response, stored before it is sent.
    Response(KeyedResponse),
    /// One assessment's risk flags.
    Flags(Vec<FlagRecord>),
}

impl AfterMoney {
    /// A batch's responses and flags, each in the order they came.
    pub fn split(rows: Vec<AfterMoney>) -> (Vec<KeyedResponse>, Vec<FlagRecord>) {
        let (mut responses, mut flags) = (Vec::new(), Vec::new());
        for row in rows {
            match row {
                AfterMoney::Response(r) => responses.push(r),
                AfterMoney::Flags(f) => flags.extend(f),
            }
        }
        (responses, flags)
    }

    /// Stores a batch in one commit. If that fails and the batch holds both kinds, each kind
    /// is tried alone, so a bad flag cannot keep the batch's responses from being stored (or
    /// the other way round); the error names the kind that failed.
    pub async fn store(store: &dyn AppStore, rows: Vec<AfterMoney>) -> Result<(), AppError> {
        let (responses, flags) = AfterMoney::split(rows);
        let responses_failed = |e| AppError::internal(format!("idempotent responses: {e}"));
        let flags_failed = |e| AppError::internal(format!("risk flags: {e}"));
        match store.store_after_money(&responses, &flags).await {
            Ok(()) => Ok(()),
            Err(e) if flags.is_empty() => Err(responses_failed(e)),
            Err(e) if responses.is_empty() => Err(flags_failed(e)),
            Err(_) => {
                let stored = store.store_after_money(&responses, &[]).await;
                let flagged = store.store_after_money(&[], &flags).await;
                stored.map_err(responses_failed)?;
                flagged.map_err(flags_failed)
            }
        }
    }
}

struct Job<T, R, E> {
    row: T,
    done: oneshot::Sender<Result<R, E>>,
}

/// Why a [`Batcher`] could not answer a row itself: its task stopped, or its batch function
/// answered a different number of rows than it was given.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct BatcherFailed(String);

impl From<BatcherFailed> for AppError {
    fn from(e: BatcherFailed) -> Self {
        AppError::internal(e.0)
    }
}

impl From<BatcherFailed> for okpay_ledger::StorageError {
    fn from(e: BatcherFailed) -> Self {
        okpay_ledger::StorageError { message: e.0, retryable: false }
    }
}

/// Handle to a background task that handles rows of type `T` in batches and answers each
/// caller with its row's `R` (one call of its batch function per batch: one transaction for a
/// write, one statement for a read), or with the batch's error `E`.
pub struct Batcher<T, R, E = AppError> {
    name: &'static str,
    jobs: mpsc::Sender<Job<T, R, E>>,
}

impl<T, R, E> Clone for Batcher<T, R, E> {
    fn clone(&self) -> Self {
        Batcher { name: self.name, jobs: self.jobs.clone() }
    }
}

impl<T, R, E> Batcher<T, R, E>
where
    T: Send + 'static,
    R: Send + 'static,
    E: From<BatcherFailed> + Clone + Send + 'static,
{
    /// Starts the batcher `name` on the current Tokio runtime; `handle` answers a batch with
    /// one answer per row, in the rows' order (all or none). The task stops once every handle
    /// is dropped and the queue is empty.
    pub fn start<F, Fut>(name: &'static str, handle: F) -> Batcher<T, R, E>
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<R>, E>> + Send + 'static,
    {
        let (jobs, queue) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(name, queue, handle));
        Batcher { name, jobs }
    }

    /// Handles `row` in the next batch; returns its answer (or its batch's error).
    pub async fn call(&self, row: T) -> Result<R, E> {
        let stopped = || E::from(BatcherFailed(format!("{} batcher stopped", self.name)));
        let (done, answer) = oneshot::channel();
        self.jobs.send(Job { row, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Handle to a background task that stores rows of type `T` in batches: a [`Batcher`] whose
/// answer is only "durable".
pub struct GroupCommit<T>(Batcher<T, (), AppError>);

impl<T> Clone for GroupCommit<T> {
    fn clone(&self) -> Self {
        GroupCommit(self.0.clone())
    }
}

impl<T: Send + 'static> GroupCommit<T> {
    /// Starts the writer `name` on the current Tokio runtime; `write` stores one batch in one
    /// transaction (all or none). The writer stops once every handle is dropped and the queue
    /// is empty.
    pub fn start<F, Fut>(name: &'static str, write: F) -> GroupCommit<T>
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), AppError>> + Send + 'static,
    {
        GroupCommit(Batcher::start(name, move |rows: Vec<T>| {
            let n = rows.len();
            let written = write(rows);
            async move { written.await.map(|()| vec![(); n]) }
        }))
    }

    /// Stores `row`; returns once it is durable (or its batch failed).
    pub async fn write(&self, row: T) -> Result<(), AppError> {
        self.0.call(row).await
    }
}

async fn run<T, R, E, F, Fut>(name: &'static str, mut queue: mpsc::Receiver<Job<T, R, E>>, handle: F)
where
    E: From<BatcherFailed> + Clone,
    F: Fn(Vec<T>) -> Fut,
    Fut: Future<Output = Result<Vec<R>, E>>,
{
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (rows, waiting): (Vec<T>, Vec<_>) = jobs.drain(..).map(|j| (j.row, j.done)).unzip();
        let answers: Vec<Result<R, E>> = match handle(rows).await {
            Ok(answers) if answers.len() == waiting.len() => answers.into_iter().map(Ok).collect(),
            Ok(answers) => {
                let e = E::from(BatcherFailed(format!("{name}: {} answers for {} rows", answers.len(), waiting.len())));
                waiting.iter().map(|_| Err(e.clone())).collect()
            }
            Err(e) => waiting.iter().map(|_| Err(e.clone())).collect(),
        };
        for (done, answer) in waiting.into_iter().zip(answers) {
            // A caller that went away does not need its answer.
            let _ = done.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[tokio::test]
    async fn concurrent_rows_share_batches_and_failures_reach_their_callers() {
        let batches: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
        let seen = batches.clone();
        let writer = GroupCommit::start("test", move |rows: Vec<u32>| {
            let seen = seen.clone();
            async move {
                seen.lock().map_err(|_| AppError::internal("poisoned"))?.push(rows.clone());
                if rows.contains(&13) { Err(AppError::internal("unlucky batch")) } else { Ok(()) }
            }
        });
        let mut set = tokio::task::JoinSet::new();
        for i in 0..100u32 {
            let w = writer.clone();
            set.spawn(async move { (i, w.write(i).await.is_ok()) });
        }
        let answers = set.join_all().await;
        let batches = batches.lock().expect("lock").clone();
        let mut written: Vec<u32> = batches.iter().flatten().copied().collect();
        written.sort_unstable();
        assert_eq!(written, (0..100).collect::<Vec<_>>(), "every row written once");
        assert!(batches.len() < 100, "rows waiting together share a batch: {batches:?}");
        let failed_batch = batches.iter().find(|b| b.contains(&13)).expect("13 was written");
        for (i, ok) in answers {
            assert_eq!(ok, !failed_batch.contains(&i), "row {i} gets its batch's outcome");
        }
    }

    #[tokio::test]
    async fn each_caller_gets_its_own_rows_answer() {
        let sizes: Arc<Mutex<Vec<usize>>> = Arc::default();
        let seen = sizes.clone();
        let doubler: Batcher<u32, u32> = Batcher::start("test", move |rows: Vec<u32>| {
            let seen = seen.clone();
            async move {
                seen.lock().map_err(|_| AppError::internal("poisoned"))?.push(rows.len());
                Ok(rows.iter().map(|r| r * 2).collect::<Vec<_>>())
            }
        });
        let mut set = tokio::task::JoinSet::new();
        for i in 0..100u32 {
            let d = doubler.clone();
            set.spawn(async move { (i, d.call(i).await) });
        }
        for (i, answer) in set.join_all().await {
            assert_eq!(answer, Ok(i * 2), "row {i}");
        }
        let sizes = sizes.lock().expect("lock").clone();
        assert_eq!(sizes.iter().sum::<usize>(), 100);
        assert!(sizes.len() < 100, "rows waiting together share a batch: {sizes:?}");

        // A batch function that loses a row fails the batch instead of answering out of place.
        let lossy: Batcher<u32, u32> = Batcher::start("lossy", |rows: Vec<u32>| async move { Ok(rows[1..].to_vec()) });
        assert!(lossy.call(7).await.is_err());
    }
}
