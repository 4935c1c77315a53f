//! Reading upload bodies with a limit, politely.
//!
//! A server that answers 413 while the client is still sending and then closes the connection
//! often leaves the client with a reset instead of the answer. So a body over its limit is read
//! on and dropped (never kept) up to a second, larger bound; only past that does reading stop.

use axum::body::{Body, Bytes};
use http_body_util::BodyExt;

/// Why a body could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// It had more bytes than allowed.
    TooLarge,
    /// The client stopped sending or sent something unreadable.
    Broken(String),
}

/// How many bytes past its limit an upload is read (and dropped) so the client gets the
/// answer: up to three more limits' worth.
pub fn drain_limit(limit: usize) -> usize {
    limit.saturating_mul(4)
}

/// The whole body if it has at most `limit` bytes; else [`BodyError::TooLarge`], after reading
/// and dropping the rest up to [`drain_limit`] bytes in all.
pub async fn read_bounded(mut body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let drain = drain_limit(limit);
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
        let Ok(data) = frame.into_data() else { continue };
        seen = seen.saturating_add(data.len());
        if seen > drain {
            return Err(BodyError::TooLarge);
        }
        if seen <= limit {
            kept.extend_from_slice(&data);
        } else if !kept.is_empty() {
            kept = Vec::new(); // over the limit: keep nothing, just drain
        }
    }
    if seen > limit { Err(BodyError::TooLarge) } else { Ok(Bytes::from(kept)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_small_bodies_and_drains_big_ones() {
        assert_eq!(read_bounded(Body::from(vec![1u8; 10]), 10).await, Ok(Bytes::from(vec![1u8; 10])));
        assert_eq!(read_bounded(Body::from(vec![1u8; 11]), 10).await, Err(BodyError::TooLarge));
        assert_eq!(read_bounded(Body::from(vec![1u8; 1_000]), 10).await, Err(BodyError::TooLarge));
        assert_eq!(read_bounded(Body::empty(), 10).await, Ok(Bytes::new()));
        assert_eq!(drain_limit(10), 40);
    }
}
