-- The first-time-recipients rule reads an owner's last 200 succeeded transfers out after every
-- transfer. Through transactions_owner_time that was a heap fetch per row; this index hands
-- them over newest first, counterparty included (an index-only scan).
CREATE INDEX transactions_owner_kind_status_time
    ON transactions (owner, kind, status, created_at_us) INCLUDE (counterparty);
