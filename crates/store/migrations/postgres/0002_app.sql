-- The application's records: users, sessions, payment methods, idempotency keys.

CREATE TABLE users (
    id             TEXT    PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    account_type   TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    email_verified BOOLEAN NOT NULL,
    locale         TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    roles          TEXT    NOT NULL,
    kyc_level      BIGINT  NOT NULL,
    created_at_us  BIGINT  NOT NULL
);

-- Only the SHA-256 of a bearer token is stored.
CREATE TABLE sessions (
    id            TEXT    PRIMARY KEY,
    user_id       TEXT    NOT NULL REFERENCES users (id),
    token_hash    TEXT    NOT NULL UNIQUE,
    user_agent    TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    created_at_us BIGINT  NOT NULL,
    last_seen_us  BIGINT  NOT NULL,
    expires_at_us BIGINT  NOT NULL,
    revoked       BOOLEAN NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Never a full card number, never a CVC.
CREATE TABLE payment_methods (
    id            TEXT COLLATE "C" PRIMARY KEY,
    user_id       TEXT   NOT NULL REFERENCES users (id),
    kind          TEXT   NOT NULL CHECK (kind IN ('card', 'bank_account')),
    brand         TEXT,
    last4         TEXT   NOT NULL,
    exp_month     BIGINT,
    exp_year      BIGINT,
    holder_name   TEXT   NOT NULL,
    bank_name     TEXT,
    country       TEXT,
    rail_token    TEXT   NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX payment_methods_user ON payment_methods (user_id, created_at_us DESC, id DESC);

CREATE TABLE idempotency_keys (
    owner         TEXT   NOT NULL,
    key           TEXT   NOT NULL,
    request_hash  TEXT   NOT NULL,
    status        INT    NOT NULL,
    body          BYTEA  NOT NULL,
    request_id    TEXT   NOT NULL,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_us);
