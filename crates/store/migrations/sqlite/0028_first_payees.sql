-- The first-time-recipients rule runs after every transfer: how many people has this sender
-- paid for the first time within the last ten minutes? It read the sender's last 200
-- transfers and grouped them by recipient (about a tenth of the server's CPU under the
-- transfer benchmark) and could only judge "first" within those 200. This table keeps, per
-- sender and recipient, when the sender first paid them; the rule counts the rows inside the
-- window through (owner, first_paid_us), and "first" now means first ever.
--
-- Kept by a trigger in the transaction that writes the history row, on every write path.
-- Counted: `transfer_out` rows written `succeeded` (transfers are final: they are written
-- succeeded and their status never changes) that name a recipient. A row older than the one
-- kept (batches commit in any order) moves the time back; a newer one changes nothing.
CREATE TABLE first_payees (
    owner         TEXT    NOT NULL,
    counterparty  TEXT    NOT NULL,
    first_paid_us INTEGER NOT NULL,
    PRIMARY KEY (owner, counterparty)
) STRICT, WITHOUT ROWID;
CREATE INDEX first_payees_owner_time ON first_payees (owner, first_paid_us);

INSERT INTO first_payees (owner, counterparty, first_paid_us)
    SELECT owner, counterparty, MIN(created_at_us)
    FROM transactions
    WHERE kind = 'transfer_out' AND status = 'succeeded' AND counterparty IS NOT NULL
    GROUP BY owner, counterparty;

CREATE TRIGGER first_payees_on_insert AFTER INSERT ON transactions
WHEN NEW.kind = 'transfer_out' AND NEW.status = 'succeeded' AND NEW.counterparty IS NOT NULL
BEGIN
    INSERT INTO first_payees (owner, counterparty, first_paid_us)
        VALUES (NEW.owner, NEW.counterparty, NEW.created_at_us)
        ON CONFLICT (owner, counterparty) DO UPDATE SET first_paid_us = excluded.first_paid_us
        WHERE excluded.first_paid_us < first_paid_us;
END;
