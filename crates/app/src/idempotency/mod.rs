//! Idempotency keys (API.md §1).
//!
//! Same key + same request → the first response, replayed; same key + another request → 422;
//! a duplicate while the first is running → 409. Responses are stored after the work is done;
//! if the process dies in between, the retry runs again and the ledger's unique references
//! (derived from the key) turn it into a replay of what was already posted.

use std::sync::Arc;

use dashmap::DashMap;

use crate::App;
use crate::error::{AppError, Code};
use crate::ports::{KeyedResponse, StoredResponse};

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// Keys being processed in this process.
#[derive(Clone, Default)]
pub struct InFlight(Arc<DashMap<(String, String), ()>>);

/// What to do with a request that carries a key.
pub enum Begin {
    /// Reply with the stored response.
    Replay(StoredResponse),
    /// Run the request, then [`Claim::finish`].
    Proceed(Claim),
}

/// This process is running the request for a key; dropping the claim releases it.
pub struct Claim {
    in_flight: InFlight,
    owner: String,
    key: String,
}

impl Claim {
    /// Stores the response for replays (batched with other requests' responses) and
    /// releases the key.
    pub async fn finish(self, app: &App, response: StoredResponse) -> Result<(), AppError> {
        let row = KeyedResponse { owner: self.owner.clone(), key: self.key.clone(), response };
        app.after_money.write(crate::group_commit::AfterMoney::Response(row)).await
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.in_flight.0.remove(&(std::mem::take(&mut self.owner), std::mem::take(&mut self.key)));
    }
}

/// Checks a key's shape.
pub fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
        return Err(AppError::new(Code::IdempotencyKeyInvalid).param("Idempotency-Key"));
    }
    Ok(())
}

impl App {
    /// Starts a request carrying `key` for `owner` (a user id, or a fixed scope for anonymous
    /// calls). `request_hash` identifies the request (method, path, body).
    pub async fn idempotency_begin(&self, owner: &str, key: &str, request_hash: &str) -> Result<Begin, AppError> {
        check_key(key)?;
        let slot = (owner.to_owned(), key.to_owned());
        // Claim first, then look: two racing duplicates cannot both pass.
        if self.idempotency.0.insert(slot.clone(), ()).is_some() {
            return Err(AppError::new(Code::IdempotencyKeyInUse));
        }
        let claim = Claim { in_flight: self.idempotency.clone(), owner: slot.0, key: slot.1 };
        match self.store.idempotent_response(owner, key).await? {
            Some(stored) if stored.request_hash == request_hash => Ok(Begin::Replay(stored)),
            Some(_) => Err(AppError::new(Code::IdempotencyKeyReused)),
            None => Ok(Begin::Proceed(claim)),
        }
    }
}
