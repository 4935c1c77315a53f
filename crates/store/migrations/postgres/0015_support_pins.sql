-- Phone-support PINs (API.md §2 POST /me/support-pin): at most one per user, replaced by the
-- next one. Only an Argon2id hash of the PIN is kept; it works for a few minutes, and
-- `failed_attempts` lets the agent-side check retire a PIN that is being guessed.
CREATE TABLE support_pins (
    user_id         TEXT    PRIMARY KEY REFERENCES users (id),
    pin_hash        TEXT    NOT NULL,
    created_at_us   BIGINT NOT NULL,
    expires_at_us   BIGINT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0
);
