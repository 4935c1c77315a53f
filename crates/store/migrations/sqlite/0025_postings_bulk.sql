-- The ledger batch writes a journal and two postings per transfer; the foreign-key lookups
-- and the `postings_account` index entries cost more than the rows themselves. The rows are
-- written only by the batch, in the transaction that allocates the journal ids and reads the
-- accounts, and `okpay ledger verify` proves the references (`references_exist`), so the
-- foreign keys on postings and on journals.hold_id go (SQLite cannot drop a constraint: the
-- two tables are rebuilt). `postings_account` served only verify, which sums every posting
-- anyway. The CHECK constraints that guard money (no overdraft, non-zero postings) stay.
CREATE TABLE postings_new (
    journal_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (journal_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO postings_new (journal_id, seq, account_id, amount)
    SELECT journal_id, seq, account_id, amount FROM postings;
DROP TABLE postings;
ALTER TABLE postings_new RENAME TO postings;

CREATE TABLE journals_new (
    id            INTEGER PRIMARY KEY,
    reference     TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    -- The hold this journal posts (see journals_hold).
    hold_id       INTEGER,
    created_at_us INTEGER NOT NULL
) STRICT;
INSERT INTO journals_new (id, reference, kind, currency, hold_id, created_at_us)
    SELECT id, reference, kind, currency, hold_id, created_at_us FROM journals;
DROP TABLE journals;
ALTER TABLE journals_new RENAME TO journals;
-- A hold is posted at most once; transfers (no hold) add no index entries.
CREATE UNIQUE INDEX journals_hold ON journals (hold_id) WHERE hold_id IS NOT NULL;
