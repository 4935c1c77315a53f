-- The books. Amounts are INTEGER minor units, times INTEGER µs since the epoch (`*_us`),
-- currencies lowercase ISO-4217 codes. STRICT tables refuse values of the wrong type.

-- Journal and hold ids come from one counter, bumped inside each batch's transaction.
CREATE TABLE ledger_ids (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    next INTEGER NOT NULL
) STRICT;
INSERT INTO ledger_ids (id, next) VALUES (1, 1);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    owner           TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('user', 'system')),
    balance         INTEGER NOT NULL DEFAULT 0,
    debits_pending  INTEGER NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending INTEGER NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    created_at_us   INTEGER NOT NULL,
    UNIQUE (owner, currency),
    -- The last line of defence: even buggy code cannot overdraw a customer's wallet.
    CHECK (kind = 'system' OR balance - debits_pending >= 0)
) STRICT;

CREATE TABLE holds (
    id             INTEGER PRIMARY KEY,
    reference      TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
    created_at_us  INTEGER NOT NULL,
    resolved_at_us INTEGER
) STRICT;

CREATE TABLE hold_legs (
    hold_id           INTEGER NOT NULL REFERENCES holds (id),
    seq               INTEGER NOT NULL,
    debit_account_id  INTEGER NOT NULL REFERENCES accounts (id),
    credit_account_id INTEGER NOT NULL REFERENCES accounts (id),
    amount            INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (hold_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE journals (
    id            INTEGER PRIMARY KEY,
    reference     TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    -- The hold this journal posts; UNIQUE so a hold can be posted only once.
    hold_id       INTEGER UNIQUE REFERENCES holds (id),
    created_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE postings (
    journal_id INTEGER NOT NULL REFERENCES journals (id),
    seq        INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (journal_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX postings_account ON postings (account_id);

-- Statement lines (customer-visible history), written in the same transaction as the money.
CREATE TABLE transactions (
    id             TEXT    PRIMARY KEY,
    owner          TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    amount_minor   INTEGER NOT NULL,
    fee_minor      INTEGER NOT NULL,
    currency       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    -- The status the line was created with: the first entry of its status history.
    initial_status TEXT    NOT NULL,
    source_id      TEXT    NOT NULL,
    counterparty   TEXT,
    description    TEXT,
    details        TEXT,
    created_at_us  INTEGER NOT NULL
) STRICT;
CREATE INDEX transactions_owner_time ON transactions (owner, created_at_us DESC, id DESC);
CREATE INDEX transactions_owner_source ON transactions (owner, source_id);

-- Status changes after creation; `id` orders events that share a timestamp.
CREATE TABLE transaction_events (
    id     INTEGER PRIMARY KEY,
    txn_id TEXT    NOT NULL REFERENCES transactions (id),
    status TEXT    NOT NULL,
    at_us  INTEGER NOT NULL
) STRICT;
CREATE INDEX transaction_events_txn ON transaction_events (txn_id, at_us, id);
