//! Transaction history: list with filters and cursor, and one row with its status timeline.

use std::collections::HashMap;

use okpay_domain::time::{DayEdge, parse_filter_time};
use okpay_ledger::StatementLine;

use crate::error::{AppError, Code};
use crate::ports::{HistoryFilter, HistoryPosition, HistoryRow};
use crate::{App, Caller};

/// Row kinds a history filter accepts.
pub const KINDS: [&str; 7] =
    ["deposit", "withdrawal", "transfer_in", "transfer_out", "payment", "payment_received", "refund"];

/// Row statuses a history filter accepts.
pub const STATUSES: [&str; 6] = ["pending", "processing", "succeeded", "paid", "failed", "canceled"];

/// Raw query parameters of a history request.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// `created_from`
    pub created_from: Option<String>,
    /// `created_to`
    pub created_to: Option<String>,
    /// `type`
    pub kind: Option<String>,
    /// `status`
    pub status: Option<String>,
}

impl HistoryQuery {
    /// Validates the filters.
    pub fn parse(&self) -> Result<HistoryFilter, AppError> {
        let time = |v: &Option<String>, edge, param: &str| -> Result<Option<i64>, AppError> {
            match v {
                None => Ok(None),
                Some(s) => parse_filter_time(s, edge)
                    .map(Some)
                    .ok_or_else(|| AppError::new(Code::InvalidDateRange).param(param)),
            }
        };
        let from_us = time(&self.created_from, DayEdge::Start, "created_from")?;
        let to_us = time(&self.created_to, DayEdge::End, "created_to")?;
        if let (Some(f), Some(t)) = (from_us, to_us)
            && f >= t
        {
            return Err(AppError::new(Code::InvalidDateRange).param("created_to"));
        }
        let pick = |v: &Option<String>, allowed: &[&str], param: &str| match v {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
            Some(_) => Err(AppError::new(Code::ParameterInvalid).param(param)),
        };
        Ok(HistoryFilter {
            from_us,
            to_us,
            kind: pick(&self.kind, &KINDS, "type")?,
            status: pick(&self.status, &STATUSES, "status")?,
        })
    }
}

/// One page of history.
#[derive(Debug, Clone)]
pub struct Page {
    /// Rows, newest first.
    pub rows: Vec<StatementLine>,
    /// Whether more rows follow.
    pub has_more: bool,
    /// Risk flags of the rows that have any, by row id.
    pub flags: Flags,
}

/// Risk flags by history row id.
pub type Flags = HashMap<String, Vec<String>>;

/// Rows per database read of an export (each read is one index range of the owner's rows).
pub const EXPORT_CHUNK_ROWS: u32 = 1_000;

impl App {
    /// A page of the caller's history.
    pub async fn history(
        &self,
        caller: &Caller,
        query: &HistoryQuery,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<Page, AppError> {
        let filter = query.parse()?;
        if let Some(after) = starting_after
            && self.store.line(caller.id(), after).await?.is_none()
        {
            return Err(AppError::new(Code::ResourceMissing).param("starting_after"));
        }
        let mut rows = self.store.lines(caller.id(), &filter, starting_after, limit + 1).await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let flags = self.flags_for(caller.id(), &rows).await?;
        Ok(Page { rows, has_more, flags })
    }

    /// The next chunk of an export: up to [`EXPORT_CHUNK_ROWS`] rows matching `filter` after
    /// `after` (the last row of the previous chunk), with their flags. A chunk shorter than
    /// [`EXPORT_CHUNK_ROWS`] is the last.
    pub async fn export_chunk(
        &self,
        owner: &str,
        filter: &HistoryFilter,
        after: Option<&HistoryPosition>,
    ) -> Result<(Vec<StatementLine>, Flags), AppError> {
        let rows = self.store.lines_after(owner, filter, after, EXPORT_CHUNK_ROWS).await?;
        let flags = self.flags_for(owner, &rows).await?;
        Ok((rows, flags))
    }

    /// The risk flags of `rows` (all the owner's), by row id: one index range read covering
    /// the rows' creation times.
    pub async fn flags_for(&self, owner: &str, rows: &[StatementLine]) -> Result<Flags, AppError> {
        let times = rows.iter().map(|r| r.created_at_us);
        let (Some(from), Some(to)) = (times.clone().min(), times.max()) else { return Ok(Flags::new()) };
        let mut flags = Flags::new();
        for (id, flag) in self.store.flags_between(owner, from, to).await? {
            if rows.iter().any(|r| r.id == id) {
                flags.entry(id).or_default().push(flag);
            }
        }
        Ok(flags)
    }

    /// One row of the caller's history.
    pub async fn transaction(&self, caller: &Caller, id: &str) -> Result<HistoryRow, AppError> {
        self.store.line(caller.id(), id).await?.ok_or_else(|| AppError::new(Code::ResourceMissing).param("id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_validate() {
        let q = HistoryQuery {
            created_from: Some("2026-01-02".into()),
            created_to: Some("2026-01-01".into()),
            ..Default::default()
        };
        assert_eq!(q.parse().map_err(|e| e.code), Err(Code::InvalidDateRange));
        let q = HistoryQuery { created_from: Some("soon".into()), ..Default::default() };
        assert_eq!(q.parse().map_err(|e| e.code), Err(Code::InvalidDateRange));
        let q = HistoryQuery { kind: Some("gift".into()), ..Default::default() };
        assert_eq!(q.parse().map_err(|e| e.param), Err(Some("type".into())));
        let q = HistoryQuery {
            created_from: Some("2026-01-01".into()),
            created_to: Some("2026-01-01".into()),
            kind: Some("deposit".into()),
            ..Default::default()
        };
        let f = q.parse().expect("valid");
        assert_eq!(f.to_us.zip(f.from_us).map(|(t, f)| t - f), Some(86_400_000_000));
    }
}
