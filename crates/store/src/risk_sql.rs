//! [`RiskStore`] for both backends: the reads are the same text on SQLite and PostgreSQL
//! (sums cast to BIGINT, which PostgreSQL would otherwise widen to NUMERIC), so one
//! implementation is generated for each store type; the batch insert of flags is written per
//! backend (PostgreSQL's is here; SQLite's is in `sqlite::after_money`). The limit usage is
//! answered from per-day totals the databases' triggers keep (`usage_days`: SQLite migration
//! 0027, PostgreSQL migration 0028; docs/decisions.md, "Limits").

use std::sync::LazyLock;

use async_trait::async_trait;
use okpay_app::ports::{FlagRecord, RiskInputs, RiskQuery, RiskStore, Scope};
use okpay_ledger::StorageError;

use crate::error::app_error;
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

/// Day and month sums of rows that did not fail or get canceled.
const USAGE: &str =
    "SELECT CAST(COALESCE(SUM(CASE WHEN created_at_us >= $5 THEN amount_minor ELSE 0 END), 0) AS BIGINT),
        CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)
     FROM transactions
     WHERE owner = $1 AND currency = $2 AND (kind = $3 OR kind = $4) AND created_at_us >= $6
       AND status NOT IN ('failed', 'canceled')";

/// [`USAGE`] from the per-day totals: `$5` and `$6` are day numbers (days since the
/// epoch, UTC), so the answer is the same as the row sum's for bounds at UTC midnights.
const USAGE_DAYS: &str = "SELECT CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN amount_minor ELSE 0 END), 0) AS BIGINT),
        CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)
     FROM usage_days
     WHERE owner = $1 AND currency = $2 AND (kind = $3 OR kind = $4) AND day >= $6";

/// Microseconds in a day.
const DAY_US: i64 = 86_400_000_000;

/// The row kinds whose amounts the triggers total in `usage_days` (the `kind IN (...)` lists
/// of SQLite's migration 0027 and PostgreSQL's 0028; a test keeps them in step with the
/// domain's kinds).
const TOTALLED_KINDS: [&str; 4] = ["deposit", "transfer_out", "payment", "withdrawal"];

/// The day numbers of two bounds when [`USAGE_DAYS`] can answer for `kinds`: both bounds are
/// UTC midnights and every kind is totalled. Otherwise the rows are summed.
fn day_numbers(kinds: &[&str], day_start_us: i64, month_start_us: i64) -> Option<(i64, i64)> {
    let totalled = kinds.iter().all(|k| TOTALLED_KINDS.contains(k));
    (totalled && day_start_us.rem_euclid(DAY_US) == 0 && month_start_us.rem_euclid(DAY_US) == 0)
        .then(|| (day_start_us.div_euclid(DAY_US), month_start_us.div_euclid(DAY_US)))
}

/// The last `limit` succeeded amounts before a time. Each kind's newest rows come from the
/// index `(owner, kind, currency, created_at_us)` read newest first, which stops after `limit`
/// rows, and the newest of the two lists win; a second kind equal to the first adds nothing.
/// (Written as one `kind = $3 OR kind = $4` query it walked the owner's rows newest first with
/// a table lookup each, past every row of another kind: 73 ms on SQLite for an owner with
/// 100,000 incoming payments after their last outgoing ones, 0.15 ms now.) The limit is part of the text because SQLite
/// prepares a statement whose `LIMIT` is a bound value again on every run. `p` names the
/// values: placeholders for one read, a query row's columns for [`risk_inputs_pg`].
fn recent_sql(limit: u32, p: &RiskParams) -> String {
    let RiskParams { owner, currency, first_kind, second_kind, before, .. } = p;
    let newest = |kind: &str| {
        format!(
            "SELECT amount_minor, created_at_us FROM transactions
             WHERE owner = {owner} AND {kind} AND currency = {currency} AND created_at_us < {before}
               AND status IN ('succeeded', 'paid')
             ORDER BY created_at_us DESC LIMIT {limit}"
        )
    };
    format!(
        "SELECT amount_minor FROM (
             SELECT * FROM ({}) AS first_kind UNION ALL SELECT * FROM ({}) AS second_kind
         ) AS recent ORDER BY created_at_us DESC LIMIT {limit}",
        newest(&format!("kind = {first_kind}")),
        newest(&format!("kind = {second_kind} AND {second_kind} <> {first_kind}")),
    )
}

/// Where the risk reads find their values: SQL expressions.
struct RiskParams {
    owner: &'static str,
    currency: &'static str,
    first_kind: &'static str,
    second_kind: &'static str,
    before: &'static str,
    since: &'static str,
}

/// One read's placeholders (owner, currency, kinds, time; owner and time for the recipients).
const ONE_READ: RiskParams =
    RiskParams { owner: "$1", currency: "$2", first_kind: "$3", second_kind: "$4", before: "$5", since: "$2" };

/// The columns of [`risk_inputs_pg`]'s query rows.
const QUERY_ROW: RiskParams = RiskParams {
    owner: "q.owner",
    currency: "q.currency",
    first_kind: "q.k1",
    second_kind: "q.k2",
    before: "q.before_us",
    since: "q.since",
};

/// Declined card deposits (their details carry a decline code) and how many cards they used.
/// The currency list (every currency, a test keeps it in step) lets the read use the index
/// `(owner, kind, currency, created_at_us, status, ...)`: a range of the window per currency.
const DECLINED: &str = "SELECT COUNT(*), COUNT(DISTINCT counterparty) FROM transactions
     WHERE owner = $1 AND kind = 'deposit' AND currency IN ('usd', 'eur', 'cny', 'jpy')
       AND status = 'failed' AND created_at_us >= $2
       AND details LIKE '%\"decline_code\"%'";

/// Recipients first paid within the window: the owner's rows of `first_payees` (kept by
/// triggers on `transactions`, SQLite migration 0028, PostgreSQL migration 0029) whose first
/// payment is inside it, read from the `(owner, first_paid_us)` index: as many entries as
/// there are new recipients, whatever the history's size.
fn new_recipients_sql(p: &RiskParams) -> String {
    format!("SELECT COUNT(*) FROM first_payees WHERE owner = {} AND first_paid_us >= {}", p.owner, p.since)
}

/// [`new_recipients_sql`] for one read.
static NEW_RECIPIENTS: LazyLock<String> = LazyLock::new(|| new_recipients_sql(&ONE_READ));

/// Both risk reads for many rows in one statement on PostgreSQL: one query row per history
/// row (NULL kinds: no amounts; NULL since: no count), answered in their order.
fn risk_inputs_pg(limit: u32) -> String {
    format!(
        "SELECT CASE WHEN q.since IS NULL THEN 0 ELSE ({}) END,
                CASE WHEN q.k1 IS NULL THEN ARRAY[]::bigint[] ELSE ARRAY({}) END
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
              WITH ORDINALITY AS q(owner, currency, k1, k2, before_us, since, i)
         ORDER BY q.i",
        new_recipients_sql(&QUERY_ROW),
        recent_sql(limit, &QUERY_ROW)
    )
}

impl SqliteStore {
    /// One query at a time: SQLite's reads run in this process, with no round trip to save.
    /// Each read runs on the calling thread (see `point_read`), so the task yields between
    /// rows: a large batch does not hold a runtime thread for its whole length.
    async fn risk_inputs_of(&self, queries: &[RiskQuery], limit: u32) -> Result<Vec<RiskInputs>, StorageError> {
        let mut answers = Vec::with_capacity(queries.len());
        for q in queries {
            tokio::task::yield_now().await;
            let recent = match q.recent {
                Some((currency, kinds)) => {
                    self.recent_amounts(Scope { owner: &q.owner, currency, kinds }, q.before_us, limit).await?
                }
                None => Vec::new(),
            };
            let new_recipients = match q.recipients_since_us {
                Some(since) => self.new_recipients_since(&q.owner, since).await?,
                None => 0,
            };
            answers.push(RiskInputs { recent, new_recipients });
        }
        Ok(answers)
    }
}

impl PgStore {
    /// Every query in one statement: one round trip for a batch of rows.
    async fn risk_inputs_of(&self, queries: &[RiskQuery], limit: u32) -> Result<Vec<RiskInputs>, StorageError> {
        let scopes: Vec<Option<Scope<'_>>> = queries
            .iter()
            .map(|q| q.recent.map(|(currency, kinds)| Scope { owner: &q.owner, currency, kinds }))
            .collect();
        let column = |pick: for<'s> fn(&'s Scope<'s>) -> &'s str| {
            scopes.iter().map(|s| s.as_ref().map(pick)).collect::<Vec<_>>()
        };
        let rows: Vec<(i64, Vec<i64>)> = sqlx::query_as(sqlx::AssertSqlSafe(risk_inputs_pg(limit)))
            .bind(queries.iter().map(|q| q.owner.as_str()).collect::<Vec<_>>())
            .bind(column(|s| s.currency.code()))
            .bind(column(|s| s.kind_pair().0))
            .bind(column(|s| s.kind_pair().1))
            .bind(queries.iter().map(|q| q.before_us).collect::<Vec<_>>())
            .bind(queries.iter().map(|q| q.recipients_since_us).collect::<Vec<_>>())
            .fetch_all(&self.pool)
            .await
            .map_err(app_error)?;
        Ok(rows.into_iter().map(|(new_recipients, recent)| RiskInputs { recent, new_recipients }).collect())
    }
}

/// A batch of flags in one statement (PostgreSQL: one array per column).
const ADD_FLAGS_PG: &str = "INSERT INTO transaction_flags (txn_id, flag, rule, owner, txn_created_us, created_at_us)
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
     ON CONFLICT (txn_id, flag) DO NOTHING";

/// Writes `flags` on PostgreSQL: one statement, so the batch is stored whole or not at all.
pub(crate) async fn add_flags_pg<'c>(db: impl sqlx::PgExecutor<'c>, flags: &[FlagRecord]) -> Result<(), StorageError> {
    let column = |f: fn(&FlagRecord) -> &str| flags.iter().map(f).collect::<Vec<_>>();
    sqlx::query(ADD_FLAGS_PG)
        .bind(column(|f| &f.txn_id))
        .bind(column(|f| &f.flag))
        .bind(column(|f| &f.rule))
        .bind(column(|f| &f.owner))
        .bind(flags.iter().map(|f| f.txn_created_us).collect::<Vec<_>>())
        .bind(flags.iter().map(|f| f.created_at_us).collect::<Vec<_>>())
        .execute(db)
        .await
        .map_err(app_error)?;
    Ok(())
}

const FLAGS_BETWEEN: &str = "SELECT txn_id, flag FROM transaction_flags
     WHERE owner = $1 AND txn_created_us >= $2 AND txn_created_us <= $3 ORDER BY txn_id, flag";

/// The [`RiskStore`] implementation for `$store`: the same statements on both backends.
macro_rules! impl_risk_store {
    ($store:ty) => {
        #[async_trait]
        impl RiskStore for $store {
            async fn usage(
                &self,
                s: Scope<'_>,
                day_start_us: i64,
                month_start_us: i64,
            ) -> Result<(i64, i64), StorageError> {
                let (k1, k2) = s.kind_pair();
                // Every money movement's limit check reads this: a point read (see `point_read`).
                let (sql, day_from, month_from) = match day_numbers(s.kinds, day_start_us, month_start_us) {
                    Some((day, month)) => (USAGE_DAYS, day, month),
                    None => (USAGE, day_start_us, month_start_us),
                };
                let args = [
                    s.owner.into(),
                    s.currency.code().into(),
                    k1.into(),
                    k2.into(),
                    day_from.into(),
                    month_from.into(),
                ];
                self.read_one(sql, &args).await
            }

            async fn recent_amounts(&self, s: Scope<'_>, before_us: i64, limit: u32) -> Result<Vec<i64>, StorageError> {
                let (k1, k2) = s.kind_pair();
                let args = [s.owner.into(), s.currency.code().into(), k1.into(), k2.into(), before_us.into()];
                let rows: Vec<(i64,)> = self.read_all(&recent_sql(limit, &ONE_READ), &args).await?;
                Ok(rows.into_iter().map(|(a,)| a).collect())
            }

            async fn declined_cards_since(&self, owner: &str, since_us: i64) -> Result<(i64, i64), StorageError> {
                sqlx::query_as(DECLINED).bind(owner).bind(since_us).fetch_one(&self.pool).await.map_err(app_error)
            }

            async fn new_recipients_since(&self, owner: &str, since_us: i64) -> Result<i64, StorageError> {
                let (n,): (i64,) = self.read_one(NEW_RECIPIENTS.as_str(), &[owner.into(), since_us.into()]).await?;
                Ok(n)
            }

            async fn risk_inputs(&self, queries: &[RiskQuery], limit: u32) -> Result<Vec<RiskInputs>, StorageError> {
                self.risk_inputs_of(queries, limit).await
            }

            async fn flags_between(
                &self,
                owner: &str,
                from_us: i64,
                to_us: i64,
            ) -> Result<Vec<(String, String)>, StorageError> {
                sqlx::query_as(FLAGS_BETWEEN)
                    .bind(owner)
                    .bind(from_us)
                    .bind(to_us)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(app_error)
            }
        }
    };
}

impl_risk_store!(SqliteStore);
impl_risk_store!(PgStore);

#[cfg(test)]
mod tests {
    use super::*;
    use okpay_domain::limits::Movement;

    #[test]
    fn the_triggers_total_every_kind_a_limit_counts() {
        let listed = format!("IN ({})", TOTALLED_KINDS.map(|k| format!("'{k}'")).join(", "));
        // Each backend's backfill and two triggers list the same kinds as the constant.
        for (name, migration) in [
            ("sqlite/0027_usage_days.sql", include_str!("../migrations/sqlite/0027_usage_days.sql")),
            ("postgres/0028_usage_days.sql", include_str!("../migrations/postgres/0028_usage_days.sql")),
        ] {
            assert_eq!(migration.matches(listed.as_str()).count(), 3, "{listed} in {name}");
        }
        // So does `ledger verify`'s check of the totals.
        assert!(crate::checks::CHECK_SQL.iter().any(|q| q.contains(listed.as_str())), "{listed} in checks.rs");
        for movement in [Movement::Deposit, Movement::Transfer, Movement::Withdrawal] {
            for kind in movement.history_kinds() {
                assert!(TOTALLED_KINDS.contains(kind), "{kind} ({movement:?}) is not totalled");
            }
        }
    }

    #[test]
    fn declined_deposits_are_read_in_every_currency() {
        let listed = okpay_domain::Currency::ALL.map(|c| format!("'{}'", c.code())).join(", ");
        assert!(DECLINED.contains(&format!("currency IN ({listed})")), "{listed} in {DECLINED}");
    }

    #[test]
    fn only_midnights_and_totalled_kinds_are_read_from_the_totals() {
        let (day, month) = (20_414 * DAY_US, 20_393 * DAY_US);
        assert_eq!(day_numbers(&["transfer_out", "payment"], day, month), Some((20_414, 20_393)));
        assert_eq!(day_numbers(&["transfer_out"], day + 1, month), None, "not a midnight");
        assert_eq!(day_numbers(&["transfer_out"], day, month - 1), None, "not a midnight");
        assert_eq!(day_numbers(&["transfer_in"], day, month), None, "not totalled");
        assert_eq!(day_numbers(&["deposit", "refund"], day, month), None, "one kind not totalled");
    }
}
