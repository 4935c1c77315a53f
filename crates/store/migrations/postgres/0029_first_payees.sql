-- First-time recipients per sender, as SQLite's migration 0028: the rule that runs after every
-- transfer counts the rows inside its window instead of grouping the sender's last 200
-- transfers, and "first" now means first ever.
--
-- Kept by a statement trigger over the insert's transition table, in the transaction that
-- writes the history rows, in key order (as the usage totals of migration 0028). Counted:
-- `transfer_out` rows written `succeeded` (transfers are final) that name a recipient. A row
-- older than the one kept moves the time back; a newer one changes nothing. The sender's
-- wallet is locked by the ledger batch that writes the row, so two batches writing one
-- sender's rows queue there first.
CREATE TABLE first_payees (
    owner         TEXT   NOT NULL,
    counterparty  TEXT   NOT NULL,
    first_paid_us BIGINT NOT NULL,
    PRIMARY KEY (owner, counterparty)
);
CREATE INDEX first_payees_owner_time ON first_payees (owner, first_paid_us);

INSERT INTO first_payees (owner, counterparty, first_paid_us)
    SELECT owner, counterparty, MIN(created_at_us)
    FROM transactions
    WHERE kind = 'transfer_out' AND status = 'succeeded' AND counterparty IS NOT NULL
    GROUP BY owner, counterparty;

CREATE FUNCTION first_payees_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO first_payees (owner, counterparty, first_paid_us)
        SELECT owner, counterparty, MIN(created_at_us)
        FROM inserted
        WHERE kind = 'transfer_out' AND status = 'succeeded' AND counterparty IS NOT NULL
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (owner, counterparty) DO UPDATE SET first_paid_us = EXCLUDED.first_paid_us
        WHERE EXCLUDED.first_paid_us < first_payees.first_paid_us;
    RETURN NULL;
END
$$;

CREATE TRIGGER first_payees_on_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION first_payees_on_insert();
