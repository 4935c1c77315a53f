-- Limits and risk rules read an owner's recent rows of some kinds in one currency on every
-- money request (the day's and month's usage, the last amounts). Carrying status and amount in
-- the index lets those reads be index-only scans.
DROP INDEX transactions_owner_kind_time;
CREATE INDEX transactions_owner_kind_time
    ON transactions (owner, kind, currency, created_at_us) INCLUDE (status, amount_minor);
