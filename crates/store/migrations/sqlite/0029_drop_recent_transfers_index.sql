-- The first-time-recipients rule reads `first_payees` (migration 0028) now, and nothing else
-- needs this index. Every history row paid for it: one more entry at the owner's place in one
-- more index, so one more page written per owner and commit. Declined card deposits are
-- counted through transactions_owner_kind_time.
DROP INDEX transactions_owner_kind_status_time;
