-- Two-factor authentication: one TOTP secret per user and single-use recovery codes.
-- `confirmed` = 0 while set-up waits for the first code; `last_step` is the last TOTP step
-- accepted, so a code is never accepted twice.
CREATE TABLE user_totp (
    user_id       TEXT    PRIMARY KEY REFERENCES users (id),
    secret        TEXT    NOT NULL,
    confirmed     INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
    last_step     INTEGER NOT NULL,
    created_at_us INTEGER NOT NULL
) STRICT;

-- Only the SHA-256 of a recovery code is stored.
CREATE TABLE recovery_codes (
    user_id    TEXT    NOT NULL REFERENCES users (id),
    code_hash  TEXT    NOT NULL,
    used_at_us INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT, WITHOUT ROWID;
