//! Keyset pagination of history, shared by both backends.
//!
//! Rows are ordered newest first by `(created_at_us, id)`. The exclusive `to` filter and the
//! `starting_after` cursor are both upper bounds on that pair, so they merge into one row-value
//! comparison, `(created_at_us, id) < (at, id)`, which both databases answer with a range scan
//! of the `(owner, created_at_us DESC, id DESC)` index.

/// The tighter of the two upper bounds, if any.
///
/// `created_at_us < to` is the same as `(created_at_us, id) < (to, "")`: no id sorts below the
/// empty string. Ids compare bytewise in both backends (SQLite `BINARY`, PostgreSQL `"C"`), as
/// Rust's `String` does, so the minimum taken here is the one the database would take.
pub(crate) fn upper_bound(to_us: Option<i64>, cursor: Option<(i64, String)>) -> Option<(i64, String)> {
    let to = to_us.map(|t| (t, String::new()));
    match (to, cursor) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_tighter_bound() {
        assert_eq!(upper_bound(None, None), None);
        assert_eq!(upper_bound(Some(10), None), Some((10, String::new())));
        let c = (5, "txn_b".to_owned());
        assert_eq!(upper_bound(Some(10), Some(c.clone())), Some(c.clone()));
        assert_eq!(upper_bound(Some(5), Some(c)), Some((5, String::new())));
    }
}
