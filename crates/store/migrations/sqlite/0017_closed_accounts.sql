-- A closed customer's ledger accounts accept no postings. The planner refuses them; this
-- CHECK is the last line of defence: a closed account is empty and stays empty.
ALTER TABLE accounts ADD COLUMN closed INTEGER NOT NULL DEFAULT 0
    CHECK (closed IN (0, 1) AND (closed = 0 OR (balance = 0 AND debits_pending = 0 AND credits_pending = 0)));
