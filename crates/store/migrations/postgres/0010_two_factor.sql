-- Two-factor authentication: one TOTP secret per user and single-use recovery codes.
-- `confirmed` is false while set-up waits for the first code; `last_step` is the last TOTP
-- step accepted, so a code is never accepted twice.
CREATE TABLE user_totp (
    user_id       TEXT    PRIMARY KEY REFERENCES users (id),
    secret        TEXT    NOT NULL,
    confirmed     BOOLEAN NOT NULL,
    last_step     BIGINT  NOT NULL,
    created_at_us BIGINT  NOT NULL
);

-- Only the SHA-256 of a recovery code is stored.
CREATE TABLE recovery_codes (
    user_id    TEXT   NOT NULL REFERENCES users (id),
    code_hash  TEXT   NOT NULL,
    used_at_us BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
