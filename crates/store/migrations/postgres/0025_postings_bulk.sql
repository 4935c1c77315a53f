-- The ledger batch writes a journal and two postings per transfer; row-level foreign-key
-- triggers on those rows cost more than the inserts themselves (they halved the engine's
-- throughput). The rows are written only by the batch, in the transaction that allocates the
-- journal ids and locks the accounts, and `okpay ledger verify` proves the references
-- (`references_exist`), so the foreign keys on postings and on journals.hold_id go.
-- `postings_account` served only verify, which sums every posting anyway.
-- The CHECK constraints that guard money (no overdraft, non-zero postings) stay.
ALTER TABLE postings DROP CONSTRAINT postings_journal_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_account_id_fkey;
DROP INDEX postings_account;
-- A hold is still posted at most once; transfers (no hold) no longer add index entries.
ALTER TABLE journals DROP CONSTRAINT journals_hold_id_fkey;
ALTER TABLE journals DROP CONSTRAINT journals_hold_id_key;
CREATE UNIQUE INDEX journals_hold ON journals (hold_id) WHERE hold_id IS NOT NULL;
