-- Risk flags on history rows (`unusual_activity`, with the rule that raised it). Written by the
-- risk assessment after the movement commits, so a flag never holds up or undoes money; the
-- row's owner and time are copied so one page of history finds its flags with one index range.
CREATE TABLE transaction_flags (
    txn_id         TEXT    NOT NULL REFERENCES transactions (id),
    flag           TEXT    NOT NULL,
    rule           TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    txn_created_us INTEGER NOT NULL,
    created_at_us  INTEGER NOT NULL,
    PRIMARY KEY (txn_id, flag)
) STRICT;
CREATE INDEX transaction_flags_owner_time ON transaction_flags (owner, txn_created_us);
-- Limits sum the owner's recent rows of some kinds in one currency.
CREATE INDEX transactions_owner_kind_time ON transactions (owner, kind, currency, created_at_us);
