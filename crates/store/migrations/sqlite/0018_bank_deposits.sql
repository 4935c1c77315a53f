-- Bank deposits waiting for the bank rail. The money itself is a pending ledger hold (bank
-- clearing → wallet) written with the history row; this row only remembers when to ask the
-- rail and who is working on it, so settlement survives restarts. A worker claims due rows
-- by pushing `due_at_us` forward (a lease): a process that dies mid-settlement leaves the row
-- to be claimed again, and posting the hold twice is a ledger duplicate.
CREATE TABLE bank_deposits (
    id             TEXT    PRIMARY KEY,
    owner          TEXT    NOT NULL,
    line_id        TEXT    NOT NULL,
    payment_method TEXT    NOT NULL,
    rail_token     TEXT    NOT NULL,
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    currency       TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_code   TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    due_at_us      INTEGER NOT NULL,
    created_at_us  INTEGER NOT NULL,
    settled_at_us  INTEGER
) STRICT;
CREATE INDEX bank_deposits_due ON bank_deposits (status, due_at_us);
