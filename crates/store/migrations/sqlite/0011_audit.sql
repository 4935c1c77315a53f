-- Security audit trail: who did what to which account, when, from where and why.
-- Append-only: nothing updates or deletes these rows (closure keeps them, pseudonymised by id).
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at_us      INTEGER NOT NULL,
    -- `usr_...` of the person acting (the user, or a staff member), or `system`.
    actor      TEXT    NOT NULL,
    -- The account acted on, when there is one (a failed sign-in for an unknown email has none).
    subject    TEXT,
    action     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    ip         TEXT    NOT NULL,
    user_agent TEXT    NOT NULL,
    reason     TEXT,
    session_id TEXT
) STRICT;
CREATE INDEX audit_events_subject ON audit_events (subject, id);
