-- Single-use tokens of emailed links (verify email, reset password, unlock). Only the SHA-256
-- of a token is stored; redeeming one marks it used in the same transaction as its effect.
CREATE TABLE account_tokens (
    token_hash    TEXT    PRIMARY KEY,
    purpose       TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'unlock')),
    user_id       TEXT    NOT NULL REFERENCES users (id),
    created_at_us INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL,
    used_at_us    INTEGER
) STRICT;
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);
