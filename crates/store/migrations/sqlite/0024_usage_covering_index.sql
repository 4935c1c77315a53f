-- Limits and risk rules read an owner's recent rows of some kinds in one currency on every
-- money request (the day's and month's usage, the last amounts). Carrying status and amount in
-- the index answers those reads from the index alone, without a table lookup per row.
DROP INDEX transactions_owner_kind_time;
CREATE INDEX transactions_owner_kind_time
    ON transactions (owner, kind, currency, created_at_us, status, amount_minor);
