-- Notices to send about history rows (a card deposit, a transfer sent or received, a payment
-- received). Written by the ledger in the same transaction as the row and its money, so a
-- committed movement is always noticed; the notice worker turns each into a mail in the outbox
-- and deletes it in one transaction, so it is mailed once.
CREATE TABLE line_notices (
    txn_id       TEXT NOT NULL PRIMARY KEY REFERENCES transactions (id),
    queued_at_us BIGINT NOT NULL
);
CREATE INDEX line_notices_queued ON line_notices (queued_at_us);
