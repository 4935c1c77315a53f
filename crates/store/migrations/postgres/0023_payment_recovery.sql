-- The recovery sweep finds card payments left `processing` and refunds left `pending` by a
-- request that died; these partial indexes hold only such rows, so the sweep's read stays small.
CREATE INDEX payments_processing ON payments (updated_at_us) WHERE status = 'processing';
CREATE INDEX refunds_pending ON refunds (updated_at_us) WHERE status = 'pending';
