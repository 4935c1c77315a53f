-- Merchant payments and their refunds. The money of each is one ledger journal whose reference
-- is the payment id (`pay_...`) or the refund id (`re_...`), written with its history rows; these
-- rows hold the state machine (`requires_payment` → `processing` → `succeeded` / `failed`), the
-- card claim (one payer at a time) and the refund reservation: `refunded_minor` grows with a
-- guarded UPDATE before a refund's journal is submitted, so concurrent refunds can never add up
-- to more than the payment.
CREATE TABLE payments (
    id              TEXT    PRIMARY KEY,
    merchant_id     TEXT    NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT    NOT NULL,
    fee_minor       INTEGER NOT NULL CHECK (fee_minor >= 0 AND fee_minor < amount_minor),
    description     TEXT,
    return_url      TEXT,
    status          TEXT    NOT NULL
        CHECK (status IN ('requires_payment', 'processing', 'succeeded', 'failed')),
    payer_id        TEXT,
    method          TEXT    CHECK (method IS NULL OR method IN ('wallet', 'card')),
    payment_method  TEXT,
    charge_ref      TEXT,
    failure_code    TEXT,
    decline_code    TEXT,
    refunded_minor  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    created_at_us   INTEGER NOT NULL,
    updated_at_us   INTEGER NOT NULL,
    paid_at_us      INTEGER
) STRICT;
CREATE INDEX payments_merchant ON payments (merchant_id, created_at_us DESC, id DESC);

CREATE TABLE refunds (
    id             TEXT    PRIMARY KEY,
    payment_id     TEXT    NOT NULL REFERENCES payments (id),
    merchant_id    TEXT    NOT NULL,
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    currency       TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_code   TEXT,
    rail_reference TEXT,
    created_at_us  INTEGER NOT NULL,
    updated_at_us  INTEGER NOT NULL
) STRICT;
CREATE INDEX refunds_payment ON refunds (payment_id, created_at_us);
