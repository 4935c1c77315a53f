//! Mail handed from this process's notice worker straight to its mail worker.
//!
//! Without it each notice mail is written three times: queued by the notice round, claimed by
//! a mail round (an `UPDATE … RETURNING` that reads the bodies back), then marked sent. The
//! claim was about a tenth of PostgreSQL's statement time and of SQLite's write turn under the
//! HTTP benchmark (docs/benchmarks.md, session 20). So while a mail worker runs here, the
//! notice round queues its mails already claimed (one attempt counted, leased as a claim
//! would) and hands them over in memory; the worker sends them and marks them sent.
//!
//! Nothing is lost if the process dies: the rows are in the outbox, leased, and any worker
//! claims them when the lease ends, as after a claim. A handed-over mail whose lease is close
//! to its end is left to that instead of being sent here ([`MailHandOff::take`]), so a slow
//! queue cannot send a row another worker may be claiming.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::ports::OutboxMail;

/// Most mails waiting in the hand-off; a notice round that would pass it queues its mails due
/// instead, for the mail worker's claims.
pub const CAPACITY: usize = 1_000;

/// The queue between the two workers of one process.
#[derive(Default)]
pub struct MailHandOff {
    state: Mutex<State>,
    /// Signalled when mail is handed over.
    ready: Notify,
}

#[derive(Default)]
struct State {
    /// The running mail worker's lease, µs; `None` while no mail worker runs here.
    lease_us: Option<i64>,
    /// Handed-over mails with the end of their lease, µs.
    mails: VecDeque<(OutboxMail, i64)>,
}

/// Keeps the hand-off open while the mail worker runs; dropping it (the worker stopped or
/// was aborted) closes it, so later rounds queue their mails due.
pub struct Attached {
    handoff: Arc<MailHandOff>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        let mut state = self.handoff.lock();
        state.lease_us = None;
        // Still leased in the outbox: claimed by a worker when the lease ends.
        state.mails.clear();
    }
}

impl MailHandOff {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves a consistent queue: every step is one call.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens the hand-off for a mail worker whose claims lease rows for `lease`.
    pub fn attach(self: &Arc<Self>, lease: Duration) -> Attached {
        self.lock().lease_us = Some(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        Attached { handoff: self.clone() }
    }

    /// Until when `n` mails queued at `now_us` should be leased, if they can be handed over
    /// (a mail worker runs here and the queue has room for all of them); `None` if they should
    /// be queued due.
    pub fn lease_for(&self, n: usize, now_us: i64) -> Option<i64> {
        let state = self.lock();
        let lease = state.lease_us?;
        (state.mails.len().saturating_add(n) <= CAPACITY).then(|| now_us.saturating_add(lease))
    }

    /// Hands over `mails`, queued leased until `leased_until_us`, and wakes the worker.
    pub fn hand_over(&self, mails: Vec<OutboxMail>, leased_until_us: i64) {
        if mails.is_empty() {
            return;
        }
        {
            let mut state = self.lock();
            if state.lease_us.is_none() {
                return; // the worker stopped meanwhile; the rows are claimed after their lease
            }
            state.mails.extend(mails.into_iter().map(|m| (m, leased_until_us)));
        }
        self.ready.notify_one();
    }

    /// Up to `max` handed-over mails to send now. Mails with less than half their lease left
    /// at `now_us` are dropped from the queue: a worker claims them when the lease ends. If
    /// mails remain, another waiting lane is woken.
    pub fn take(&self, max: usize, now_us: i64) -> Vec<OutboxMail> {
        let mut state = self.lock();
        let half = state.lease_us.unwrap_or(0) / 2;
        let mut out = Vec::new();
        while out.len() < max {
            let Some((mail, until)) = state.mails.pop_front() else { break };
            if until.saturating_sub(now_us) > half {
                out.push(mail);
            }
        }
        let more = !state.mails.is_empty();
        drop(state);
        if more {
            self.ready.notify_one();
        }
        out
    }

    /// Waits until mail is handed over (or was, since the last wait that returned).
    pub async fn handed_over(&self) {
        self.ready.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(id: &str) -> OutboxMail {
        OutboxMail {
            id: id.into(),
            to: "a@example.com".into(),
            kind: "transfer_sent".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            attempts: 1,
            created_at_us: 0,
        }
    }

    #[test]
    fn closed_until_a_worker_attaches_and_again_after_it_stops() {
        let h = Arc::new(MailHandOff::default());
        assert_eq!(h.lease_for(1, 100), None, "no worker: queue due");
        let attached = h.attach(Duration::from_micros(1_000));
        assert_eq!(h.lease_for(1, 100), Some(1_100));
        h.hand_over(vec![mail("m1")], 1_100);
        assert_eq!(h.lock().mails.len(), 1);
        drop(attached);
        assert_eq!(h.lease_for(1, 100), None, "the worker stopped");
        assert!(h.lock().mails.is_empty(), "its queue is dropped; the rows wait for their lease");
        h.hand_over(vec![mail("m2")], 1_100);
        assert!(h.lock().mails.is_empty(), "nothing is handed to a stopped worker");
    }

    #[test]
    fn a_round_that_does_not_fit_is_queued_due() {
        let h = Arc::new(MailHandOff::default());
        let _attached = h.attach(Duration::from_micros(1_000));
        h.hand_over((0..CAPACITY - 10).map(|i| mail(&format!("m{i}"))).collect(), 1_000);
        assert!(h.lease_for(10, 0).is_some());
        assert_eq!(h.lease_for(11, 0), None);
    }

    #[test]
    fn take_skips_mails_whose_lease_is_mostly_gone() {
        let h = Arc::new(MailHandOff::default());
        let _attached = h.attach(Duration::from_micros(1_000));
        h.hand_over(vec![mail("old")], 1_000);
        h.hand_over(vec![mail("new1"), mail("new2"), mail("new3")], 1_400);
        // At 600 the first has 400 µs of 1,000 left: left for a claim after its lease.
        let taken: Vec<String> = h.take(2, 600).into_iter().map(|m| m.id).collect();
        assert_eq!(taken, ["new1", "new2"]);
        let taken: Vec<String> = h.take(10, 600).into_iter().map(|m| m.id).collect();
        assert_eq!(taken, ["new3"]);
        assert!(h.take(10, 600).is_empty());
    }
}
