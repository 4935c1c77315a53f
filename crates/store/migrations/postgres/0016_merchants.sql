-- Merchants: API keys (only the SHA-256 of a secret is stored), settings, events and the
-- durable queue of their webhook deliveries with a log of every attempt.
CREATE TABLE api_keys (
    id            TEXT    PRIMARY KEY,
    merchant_id   TEXT    NOT NULL REFERENCES users (id),
    secret_hash   TEXT    NOT NULL UNIQUE,
    last4         TEXT    NOT NULL,
    created_at_us BIGINT NOT NULL,
    revoked_at_us BIGINT
);
CREATE INDEX api_keys_merchant ON api_keys (merchant_id, created_at_us);

-- accepted_payment_methods: space-separated (`wallet card`).
CREATE TABLE merchant_settings (
    merchant_id              TEXT    PRIMARY KEY REFERENCES users (id),
    accepted_payment_methods TEXT    NOT NULL,
    webhook_url              TEXT,
    webhook_secret           TEXT,
    updated_at_us            BIGINT NOT NULL
);

-- seq orders a merchant's events (newest first) and pages them; payload is sent byte-for-byte.
CREATE TABLE events (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    merchant_id   TEXT    NOT NULL REFERENCES users (id),
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX events_merchant ON events (merchant_id, seq);

CREATE TABLE webhook_deliveries (
    id                 TEXT    PRIMARY KEY,
    event_id           TEXT    NOT NULL REFERENCES events (id),
    url                TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts           BIGINT NOT NULL,
    next_attempt_at_us BIGINT NOT NULL,
    created_at_us      BIGINT NOT NULL,
    done_at_us         BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at_us);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    delivery_id TEXT    NOT NULL REFERENCES webhook_deliveries (id),
    attempt     BIGINT NOT NULL,
    at_us       BIGINT NOT NULL,
    http_status BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
