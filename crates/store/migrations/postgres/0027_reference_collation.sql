-- Journal and hold references are opaque ids (`tr_…`, `wd_…`) compared for equality only.
-- Under the database's default collation (C.UTF-8 here, often en_US.UTF-8) every comparison
-- in their unique indexes goes through the locale's collation routine; "C" compares bytes and
-- lets B-tree builds use abbreviated keys. Every ledger batch inserts one journal per transfer
-- into journals_reference_key, so its comparisons are on the hot path. Equality is unchanged
-- (both collations are deterministic); the indexes are rebuilt, the tables are not rewritten.
ALTER TABLE journals ALTER COLUMN reference TYPE TEXT COLLATE "C";
ALTER TABLE holds ALTER COLUMN reference TYPE TEXT COLLATE "C";
