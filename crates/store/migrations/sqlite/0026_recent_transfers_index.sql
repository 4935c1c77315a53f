-- The first-time-recipients rule reads an owner's last 200 succeeded transfers out after every
-- transfer. Through transactions_owner_time that was a table lookup per row (about 1 ms per
-- transfer on a busy sender); this index hands them over newest first, counterparty included.
CREATE INDEX transactions_owner_kind_status_time
    ON transactions (owner, kind, status, created_at_us, counterparty);
