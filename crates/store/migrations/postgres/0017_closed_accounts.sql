-- A closed customer's ledger accounts accept no postings. The planner refuses them; this
-- CHECK is the last line of defence: a closed account is empty and stays empty.
ALTER TABLE accounts ADD COLUMN closed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD CONSTRAINT accounts_closed_are_empty
    CHECK (NOT closed OR (balance = 0 AND debits_pending = 0 AND credits_pending = 0));
