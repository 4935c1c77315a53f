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

/// What [`rfc3339`] shows for a time it cannot format (before year 0 or after 9999).
const UNFORMATTABLE: &str = "1970-01-01T00:00:00Z";

/// Formats microseconds since the epoch as an RFC 3339 UTC string with second precision.
pub fn rfc3339(us: i64) -> String {
    let mut out = String::with_capacity(UNFORMATTABLE.len());
    push_rfc3339(&mut out, us);
    out
}

/// Appends [`rfc3339`]`(us)` to `out` without allocating: a CSV export writes one per row, and
/// the general formatter was a large part of its cost.
pub fn push_rfc3339(out: &mut String, us: i64) {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(us.div_euclid(1_000_000)) else {
        out.push_str(UNFORMATTABLE);
        return;
    };
    // RFC 3339 has four-digit years only; the general formatter refuses the others too.
    let Ok(year) = u32::try_from(t.year()) else {
        out.push_str(UNFORMATTABLE);
        return;
    };
    if year > 9_999 {
        out.push_str(UNFORMATTABLE);
        return;
    }
    let mut buf = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            // A digit: `v % 10` < 10, so the cast cannot truncate.
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, u32::from(u8::from(t.month())), 2);
    put(8, u32::from(t.day()), 2);
    put(11, u32::from(t.hour()), 2);
    put(14, u32::from(t.minute()), 2);
    put(17, u32::from(t.second()), 2);
    // Only ASCII digits were written into an ASCII template.
    out.push_str(std::str::from_utf8(&buf).unwrap_or(UNFORMATTABLE));
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

    /// What the general `time` formatter gives, which the fast path must match byte for byte.
    fn general(us: i64) -> String {
        OffsetDateTime::from_unix_timestamp(us.div_euclid(1_000_000))
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| UNFORMATTABLE.to_owned())
    }

    #[test]
    fn fast_formatting_matches_the_general_formatter() {
        let edges = [
            0,
            -1,
            999_999,
            1_000_000,
            -62_167_219_200_000_000, // 0000-01-01T00:00:00Z
            -62_167_219_200_000_001, // the microsecond before: year -1
            253_402_300_799_999_999, // 9999-12-31T23:59:59Z
            253_402_300_800_000_000, // year 10000
            951_782_400_000_000,     // 2000-02-29
            4_107_542_399_000_000,   // 2100-02-28T23:59:59Z
            i64::MIN,
            i64::MAX,
        ];
        for us in edges {
            assert_eq!(rfc3339(us), general(us), "{us}");
        }
        // A spread over the formattable range, including every second of one day.
        let mut us: i64 = -62_167_219_200_000_000;
        while us < 253_402_300_800_000_000 {
            assert_eq!(rfc3339(us), general(us), "{us}");
            us += 7_777_777_777_777;
        }
        for s in 0..86_400_i64 {
            let us = 1_767_225_600_000_000 + s * 1_000_000 + 123;
            assert_eq!(rfc3339(us), general(us), "{us}");
        }
        let mut out = String::from("x,");
        push_rfc3339(&mut out, 1_000_000);
        assert_eq!(out, "x,1970-01-01T00:00:01Z");
    }
}
