-- Every money request's limit check sums what the owner used today and this month. Summed
-- over history rows, that read grew with the month's rows (a busy sender's check read
-- thousands of index entries per request). These per-day totals answer it from at most 31
-- rows per kind. Triggers keep them in the same transaction as the rows they count, on every
-- write path (the ledger batch, the workers' status changes, single inserts), so they cannot
-- drift from the history; the store reads them only for day-aligned bounds (UTC midnights,
-- which is what the limits use) and sums the rows otherwise.
--
-- Counted: rows of the limited kinds whose status is not failed or canceled, the same rule
-- as the row sum. `day` is days since the epoch, UTC (created_at_us / 86,400,000,000).
CREATE TABLE usage_days (
    owner        TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    day          INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (owner, currency, kind, day)
) STRICT, WITHOUT ROWID;

INSERT INTO usage_days (owner, currency, kind, day, amount_minor)
    SELECT owner, currency, kind, created_at_us / 86400000000, SUM(amount_minor)
    FROM transactions
    WHERE kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
      AND status NOT IN ('failed', 'canceled')
    GROUP BY owner, currency, kind, created_at_us / 86400000000;

CREATE TRIGGER usage_days_on_insert AFTER INSERT ON transactions
WHEN NEW.kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
 AND NEW.status NOT IN ('failed', 'canceled')
BEGIN
    INSERT INTO usage_days (owner, currency, kind, day, amount_minor)
        VALUES (NEW.owner, NEW.currency, NEW.kind, NEW.created_at_us / 86400000000, NEW.amount_minor)
        ON CONFLICT (owner, currency, kind, day) DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

-- A row that starts or stops counting (a withdrawal that fails, say) moves its amount.
CREATE TRIGGER usage_days_on_status AFTER UPDATE OF status ON transactions
WHEN NEW.kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
 AND (OLD.status IN ('failed', 'canceled')) <> (NEW.status IN ('failed', 'canceled'))
BEGIN
    INSERT INTO usage_days (owner, currency, kind, day, amount_minor)
        VALUES (NEW.owner, NEW.currency, NEW.kind, NEW.created_at_us / 86400000000,
                CASE WHEN NEW.status IN ('failed', 'canceled') THEN -NEW.amount_minor ELSE NEW.amount_minor END)
        ON CONFLICT (owner, currency, kind, day) DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

-- The totals rely on the counted columns never changing and rows never going (books are
-- kept); the database refuses both rather than let the totals drift.
CREATE TRIGGER transactions_counted_columns_fixed BEFORE UPDATE OF owner, currency, kind, amount_minor, created_at_us
ON transactions
WHEN NEW.owner IS NOT OLD.owner OR NEW.currency IS NOT OLD.currency OR NEW.kind IS NOT OLD.kind
  OR NEW.amount_minor IS NOT OLD.amount_minor OR NEW.created_at_us IS NOT OLD.created_at_us
BEGIN
    SELECT RAISE(ABORT, 'history rows keep their owner, currency, kind, amount and time');
END;

CREATE TRIGGER transactions_kept BEFORE DELETE ON transactions
BEGIN
    SELECT RAISE(ABORT, 'history rows are kept');
END;
