//! Group commit for idempotency records.
//!
//! Every POST with an `Idempotency-Key` stores its response. One commit per request would cost
//! one fsync per request and, on SQLite, a turn at the single write lock; under load that, not
//! the ledger, limits throughput. The writer takes whatever responses are waiting (up to
//! [`MAX_BATCH`]) and stores them in one commit, as the ledger's writer does for money. A
//! request waits for its batch, so a response is never sent before it is replayable; light
//! traffic is not delayed, because the writer never waits for a batch to fill.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;
use crate::ports::{AppStore, KeyedResponse};

/// Most responses stored in one commit.
pub const MAX_BATCH: usize = 512;

/// Responses waiting for the writer before callers wait for room (backpressure).
const QUEUE_CAPACITY: usize = 4 * MAX_BATCH;

struct Job {
    row: KeyedResponse,
    done: oneshot::Sender<Result<(), AppError>>,
}

/// Handle to the background task that stores idempotency records in batches.
#[derive(Clone)]
pub struct ResponseWriter {
    jobs: mpsc::Sender<Job>,
}

impl ResponseWriter {
    /// Starts the writer on the current Tokio runtime. It stops once every handle is dropped
    /// and the queue is empty.
    pub fn start(store: Arc<dyn AppStore>) -> ResponseWriter {
        let (jobs, queue) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(store, queue));
        ResponseWriter { jobs }
    }

    /// Stores `row`; returns once it is durable (or the batch failed).
    pub async fn store(&self, row: KeyedResponse) -> Result<(), AppError> {
        let (done, answer) = oneshot::channel();
        self.jobs.send(Job { row, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> AppError {
    AppError::internal("idempotency writer stopped")
}

async fn run(store: Arc<dyn AppStore>, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (rows, waiting): (Vec<KeyedResponse>, Vec<_>) = jobs.drain(..).map(|j| (j.row, j.done)).unzip();
        let result = store.store_idempotent_responses(&rows).await.map_err(AppError::from);
        for done in waiting {
            // A caller that went away does not need its answer.
            let _ = done.send(result.clone());
        }
    }
}
