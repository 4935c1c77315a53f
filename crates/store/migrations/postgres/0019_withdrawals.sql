-- Withdrawals. The money is a ledger hold (wallet → bank or card clearing for the amount,
-- wallet → fee revenue for the fee) written with the `withdrawal` history row; this row holds
-- the status machine, the worker's schedule and lease (`due_at_us`, pushed forward by each
-- claim) and whether the creation mail went out. A row is finished (`finished_at_us`) once
-- its hold is posted or released and the last mail queued; the worker only claims unfinished
-- rows. Status changes are guarded (`WHERE status = <expected>`), so a cancel racing the
-- worker's move to `processing` has exactly one winner.
CREATE TABLE withdrawals (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    owner                TEXT    NOT NULL,
    line_id              TEXT    NOT NULL,
    payment_method       TEXT    NOT NULL,
    method               TEXT    NOT NULL CHECK (method IN ('bank_account', 'card')),
    rail_token           TEXT    NOT NULL,
    amount_minor         BIGINT  NOT NULL CHECK (amount_minor > 0),
    fee_minor            BIGINT  NOT NULL CHECK (fee_minor >= 0),
    currency             TEXT    NOT NULL,
    status               TEXT    NOT NULL
        CHECK (status IN ('pending', 'processing', 'paid', 'failed', 'canceled')),
    failure_code         TEXT,
    attempts             BIGINT  NOT NULL DEFAULT 0,
    due_at_us            BIGINT  NOT NULL,
    created_at_us        BIGINT  NOT NULL,
    processing_at_us     BIGINT,
    finished_at_us       BIGINT,
    estimated_arrival_us BIGINT  NOT NULL,
    created_mailed       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX withdrawals_due ON withdrawals (due_at_us) WHERE finished_at_us IS NULL;
CREATE INDEX withdrawals_owner ON withdrawals (owner, created_at_us DESC, id DESC);
