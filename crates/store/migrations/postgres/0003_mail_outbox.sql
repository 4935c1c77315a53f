-- Outgoing mail, written in the same step as the change that causes it and delivered by a
-- background worker (retries with backoff; `failed` after the last attempt). Bodies are
-- blanked once sent, so links with tokens do not linger in the database.
CREATE TABLE mail_outbox (
    id                 TEXT   PRIMARY KEY,
    to_addr            TEXT   NOT NULL,
    kind               TEXT   NOT NULL,
    subject            TEXT   NOT NULL,
    text_body          TEXT   NOT NULL,
    html_body          TEXT   NOT NULL,
    status             TEXT   NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts           BIGINT NOT NULL,
    next_attempt_at_us BIGINT NOT NULL,
    last_error         TEXT,
    created_at_us      BIGINT NOT NULL,
    done_at_us         BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at_us);
