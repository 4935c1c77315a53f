-- Per-day limit usage, as SQLite's migration 0027: every money request's limit check summed
-- the owner's history rows of the month (thousands of index entries for a busy sender, more
-- with every day of the month); these totals answer it from at most 31 rows per kind.
-- Counted: rows of the limited kinds whose status is not failed or canceled, the row sum's
-- rule. `day` is days since the epoch, UTC (created_at_us / 86,400,000,000).
--
-- Triggers keep the totals in the transaction that writes the rows, on every write path.
-- They run once per statement over its transition table and write the totals in key order,
-- so two transactions writing the same owners take those row locks in the same order. A
-- ledger batch also holds its accounts' locks before it writes any history row, and every
-- counted row but a card-paid payment's belongs to an owner whose wallet the batch locked, so
-- batches writing one owner's totals mostly queue at the account locks already. A deadlock
-- left over (a batch that inserts counted rows and then moves others across the
-- failed/canceled line, against another doing the same in the opposite order) is detected by
-- PostgreSQL and retried by the ledger (40P01 is retryable).
CREATE TABLE usage_days (
    owner        TEXT   NOT NULL,
    currency     TEXT   NOT NULL,
    kind         TEXT   NOT NULL,
    day          BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (owner, currency, kind, day)
);

INSERT INTO usage_days (owner, currency, kind, day, amount_minor)
    SELECT owner, currency, kind, created_at_us / 86400000000, SUM(amount_minor)
    FROM transactions
    WHERE kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
      AND status NOT IN ('failed', 'canceled')
    GROUP BY owner, currency, kind, created_at_us / 86400000000;

CREATE FUNCTION usage_days_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO usage_days (owner, currency, kind, day, amount_minor)
        SELECT owner, currency, kind, created_at_us / 86400000000, SUM(amount_minor)
        FROM inserted
        WHERE kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
          AND status NOT IN ('failed', 'canceled')
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (owner, currency, kind, day)
        DO UPDATE SET amount_minor = usage_days.amount_minor + EXCLUDED.amount_minor;
    RETURN NULL;
END
$$;

CREATE TRIGGER usage_days_on_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION usage_days_on_insert();

-- A row that starts or stops counting (a withdrawal that fails, say) moves its amount.
-- (PostgreSQL allows no column list on a trigger with transition tables: this one runs for
-- every UPDATE statement on the table and finds the rows whose status crossed the line.)
CREATE FUNCTION usage_days_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO usage_days (owner, currency, kind, day, amount_minor)
        SELECT n.owner, n.currency, n.kind, n.created_at_us / 86400000000,
               SUM(CASE WHEN n.status IN ('failed', 'canceled') THEN -n.amount_minor ELSE n.amount_minor END)
        FROM after_rows n JOIN before_rows o ON o.id = n.id
        WHERE n.kind IN ('deposit', 'transfer_out', 'payment', 'withdrawal')
          AND (o.status IN ('failed', 'canceled')) <> (n.status IN ('failed', 'canceled'))
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (owner, currency, kind, day)
        DO UPDATE SET amount_minor = usage_days.amount_minor + EXCLUDED.amount_minor;
    RETURN NULL;
END
$$;

CREATE TRIGGER usage_days_on_status AFTER UPDATE ON transactions
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_days_on_status();

-- The totals rely on the counted columns never changing and rows never going (books are
-- kept); the database refuses both rather than let the totals drift.
CREATE FUNCTION transactions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'history rows are kept';
    END IF;
    RAISE EXCEPTION 'history rows keep their owner, currency, kind, amount and time';
END
$$;

CREATE TRIGGER transactions_counted_columns_fixed
    BEFORE UPDATE OF owner, currency, kind, amount_minor, created_at_us ON transactions
    FOR EACH ROW
    WHEN (NEW.owner IS DISTINCT FROM OLD.owner OR NEW.currency IS DISTINCT FROM OLD.currency
          OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.amount_minor IS DISTINCT FROM OLD.amount_minor
          OR NEW.created_at_us IS DISTINCT FROM OLD.created_at_us)
    EXECUTE FUNCTION transactions_refuse_change();

CREATE TRIGGER transactions_kept BEFORE DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION transactions_refuse_change();
