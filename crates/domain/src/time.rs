//! Timestamps: stored as microseconds since the Unix epoch (`*_us`), shown as RFC 3339 UTC.
//!
//! Integers keep SQLite and PostgreSQL identical and make time-ordered keys cheap to compare.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, macros::format_description};

/// Microseconds since the Unix epoch for `t`.
pub fn to_us(t: OffsetDateTime) -> i64 {
    // i128 → i64: microseconds since 1970 fit in i64 for ±292,000 years.
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The current time in microseconds since the Unix epoch.
pub fn now_us() -> i64 {
    to_us(OffsetDateTime::now_utc())
}

/// Formats microseconds since the epoch as an RFC 3339 UTC string with second precision.
pub fn rfc3339(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Which end of a day a plain date stands for when used as a filter bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEdge {
    /// 00:00:00 of that day (a `from` bound).
    Start,
    /// 00:00:00 of the next day, exclusive (a `to` bound covers the whole day).
    End,
}

/// Parses an RFC 3339 timestamp or a plain `YYYY-MM-DD` date (UTC) into microseconds.
pub fn parse_filter_time(s: &str, edge: DayEdge) -> Option<i64> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(to_us(t));
    }
    let date = Date::parse(s, format_description!("[year]-[month]-[day]")).ok()?;
    let day = match edge {
        DayEdge::Start => date,
        DayEdge::End => date.next_day()?,
    };
    Some(to_us(day.midnight().assume_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_timestamps() {
        assert_eq!(parse_filter_time("1970-01-02", DayEdge::Start), Some(86_400_000_000));
        assert_eq!(parse_filter_time("1970-01-01", DayEdge::End), Some(86_400_000_000));
        assert_eq!(parse_filter_time("1970-01-01T00:00:01Z", DayEdge::Start), Some(1_000_000));
        assert_eq!(parse_filter_time("2026-13-01", DayEdge::Start), None);
        assert_eq!(parse_filter_time("yesterday", DayEdge::Start), None);
        assert_eq!(rfc3339(1_000_000), "1970-01-01T00:00:01Z");
    }
}
