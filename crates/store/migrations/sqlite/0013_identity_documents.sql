-- Identity documents (KYC). The file itself is kept outside the database and outside any web
-- root (<data dir>/documents/<storage_key>); this row is written only once the file is durable.
CREATE TABLE identity_documents (
    id             TEXT    PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('passport', 'id_card', 'proof_of_address')),
    -- Recognised from the content (magic bytes), never taken from the client.
    content_type   TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes     INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256         TEXT    NOT NULL,
    storage_key    TEXT    NOT NULL UNIQUE,
    status         TEXT    NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected')),
    review_reason  TEXT,
    reviewer_id    TEXT    REFERENCES users (id),
    created_at_us  INTEGER NOT NULL,
    reviewed_at_us INTEGER,
    -- A reviewed document always says who reviewed it, when and why; a pending one says nothing.
    CHECK ((status = 'pending_review') = (reviewed_at_us IS NULL AND reviewer_id IS NULL AND review_reason IS NULL))
) STRICT;
CREATE INDEX identity_documents_user ON identity_documents (user_id, created_at_us DESC, id DESC);
CREATE INDEX identity_documents_status ON identity_documents (status, created_at_us);
