-- Account closure: the customer's request, reviewed by staff.
-- At most one request per user waits for review at a time (the partial unique index).
CREATE TABLE closure_requests (
    id             TEXT    PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id),
    status         TEXT    NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected')),
    reason         TEXT    NOT NULL,
    created_at_us  BIGINT NOT NULL,
    -- The staff member who approved or rejected it, when, and why.
    decided_by     TEXT,
    decided_at_us  BIGINT,
    decision_note  TEXT
);
CREATE INDEX closure_requests_user ON closure_requests (user_id, created_at_us DESC, id DESC);
CREATE UNIQUE INDEX closure_requests_one_pending ON closure_requests (user_id) WHERE status = 'pending_review';

-- A closed account keeps only the SHA-256 of its old normalised address (so signing in with it
-- answers `account_closed`) and when it was closed; its email and name are pseudonymised.
ALTER TABLE users ADD COLUMN closed_email_hash TEXT;
ALTER TABLE users ADD COLUMN closed_at_us BIGINT;
CREATE INDEX users_closed_email_hash ON users (closed_email_hash) WHERE closed_email_hash IS NOT NULL;
