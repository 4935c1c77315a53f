-- The books. Amounts are BIGINT minor units, times BIGINT µs since the epoch (`*_us`),
-- currencies lowercase ISO-4217 codes.

-- Journal and hold ids: a batch takes n of them with nextval() over generate_series.
CREATE SEQUENCE ledger_ids AS BIGINT START WITH 1;

CREATE TABLE accounts (
    id              BIGSERIAL PRIMARY KEY,
    owner           TEXT   NOT NULL,
    currency        TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('user', 'system')),
    balance         BIGINT NOT NULL DEFAULT 0,
    debits_pending  BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    created_at_us   BIGINT NOT NULL,
    UNIQUE (owner, currency),
    -- The last line of defence: even buggy code cannot overdraw a customer's wallet.
    CONSTRAINT accounts_user_not_overdrawn CHECK (kind = 'system' OR balance - debits_pending >= 0)
);

CREATE TABLE holds (
    id             BIGINT PRIMARY KEY,
    reference      TEXT   NOT NULL UNIQUE,
    kind           TEXT   NOT NULL,
    currency       TEXT   NOT NULL,
    status         TEXT   NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
    created_at_us  BIGINT NOT NULL,
    resolved_at_us BIGINT
);

CREATE TABLE hold_legs (
    hold_id           BIGINT NOT NULL REFERENCES holds (id),
    seq               INT    NOT NULL,
    debit_account_id  BIGINT NOT NULL REFERENCES accounts (id),
    credit_account_id BIGINT NOT NULL REFERENCES accounts (id),
    amount            BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (hold_id, seq)
);

CREATE TABLE journals (
    id            BIGINT PRIMARY KEY,
    reference     TEXT   NOT NULL UNIQUE,
    kind          TEXT   NOT NULL,
    currency      TEXT   NOT NULL,
    -- The hold this journal posts; UNIQUE so a hold can be posted only once.
    hold_id       BIGINT UNIQUE REFERENCES holds (id),
    created_at_us BIGINT NOT NULL
);

CREATE TABLE postings (
    journal_id BIGINT NOT NULL REFERENCES journals (id),
    seq        INT    NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    amount     BIGINT NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (journal_id, seq)
);
CREATE INDEX postings_account ON postings (account_id);

-- Statement lines (customer-visible history), written in the same transaction as the money.
-- Ids use the "C" collation so pagination orders them bytewise, exactly as SQLite does.
CREATE TABLE transactions (
    id             TEXT COLLATE "C" PRIMARY KEY,
    owner          TEXT   NOT NULL,
    kind           TEXT   NOT NULL,
    amount_minor   BIGINT NOT NULL,
    fee_minor      BIGINT NOT NULL,
    currency       TEXT   NOT NULL,
    status         TEXT   NOT NULL,
    -- The status the line was created with: the first entry of its status history.
    initial_status TEXT   NOT NULL,
    source_id      TEXT   NOT NULL,
    counterparty   TEXT,
    description    TEXT,
    details        TEXT,
    created_at_us  BIGINT NOT NULL
);
CREATE INDEX transactions_owner_time ON transactions (owner, created_at_us DESC, id DESC);
CREATE INDEX transactions_owner_source ON transactions (owner, source_id);

-- Status changes after creation; `id` orders events that share a timestamp.
CREATE TABLE transaction_events (
    id     BIGSERIAL PRIMARY KEY,
    txn_id TEXT COLLATE "C" NOT NULL REFERENCES transactions (id),
    status TEXT   NOT NULL,
    at_us  BIGINT NOT NULL
);
CREATE INDEX transaction_events_txn ON transaction_events (txn_id, at_us, id);
