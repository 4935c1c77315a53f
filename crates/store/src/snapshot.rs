//! Building a ledger [`Snapshot`] from the rows a backend loaded, and decoding stored values.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use okpay_domain::{Amount, Currency};
use okpay_ledger::plan::{Snapshot, StoredHold};
use okpay_ledger::{AccountId, AccountKind, AccountState, HoldStatus, Leg, StorageError};

use crate::error::corrupt;

/// `(id, currency, kind, balance, debits_pending, credits_pending, closed)`.
pub(crate) type AccountTuple = (i64, String, String, i64, i64, i64, bool);
/// `(id, reference, kind, currency, status)`.
pub(crate) type HoldTuple = (i64, String, String, String, String);
/// `(hold id, debit account, credit account, amount)`, ordered by hold id and seq.
pub(crate) type LegTuple = (i64, i64, i64, i64);

/// Parses a stored currency code.
pub(crate) fn currency(code: &str) -> Result<Currency, StorageError> {
    Currency::from_str(code).map_err(|_| corrupt(format!("currency {code:?}")))
}

/// Decodes an account row.
pub(crate) fn account(t: AccountTuple) -> Result<AccountState, StorageError> {
    let (id, cur, kind, balance, debits_pending, credits_pending, closed) = t;
    Ok(AccountState {
        id: AccountId(id),
        currency: currency(&cur)?,
        kind: AccountKind::parse(&kind).ok_or_else(|| corrupt(format!("account kind {kind:?}")))?,
        balance,
        debits_pending,
        credits_pending,
        closed,
    })
}

/// Assembles the snapshot a batch is planned against.
pub(crate) fn build(
    journal_refs: Vec<String>,
    holds: HashMap<String, StoredHold>,
    accounts: Vec<AccountTuple>,
) -> Result<Snapshot, StorageError> {
    let mut by_id = HashMap::with_capacity(accounts.len());
    for t in accounts {
        let a = account(t)?;
        by_id.insert(a.id, a);
    }
    Ok(Snapshot { accounts: by_id, journal_refs: journal_refs.into_iter().collect::<HashSet<_>>(), holds })
}

/// Groups legs under their holds, keyed by hold reference.
pub(crate) fn assemble_holds(
    holds: Vec<HoldTuple>,
    legs: Vec<LegTuple>,
) -> Result<HashMap<String, StoredHold>, StorageError> {
    let mut legs_of: HashMap<i64, Vec<Leg>> = HashMap::new();
    for (hold_id, debit, credit, amount) in legs {
        let amount = Amount::new(amount).map_err(|_| corrupt(format!("hold {hold_id} leg amount {amount}")))?;
        legs_of.entry(hold_id).or_default().push(Leg { debit: AccountId(debit), credit: AccountId(credit), amount });
    }
    let mut out = HashMap::with_capacity(holds.len());
    for (id, reference, kind, cur, status) in holds {
        let hold = StoredHold {
            id,
            reference: reference.clone(),
            kind,
            currency: currency(&cur)?,
            legs: legs_of.remove(&id).unwrap_or_default(),
            status: HoldStatus::parse(&status).ok_or_else(|| corrupt(format!("hold status {status:?}")))?,
        };
        out.insert(reference, hold);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_holds_with_their_legs_in_order() -> Result<(), StorageError> {
        let holds = vec![(7, "h1".to_owned(), "withdrawal".to_owned(), "usd".to_owned(), "pending".to_owned())];
        let legs = vec![(7, 1, 2, 100), (7, 1, 3, 5)];
        let accounts = vec![(1, "usd".to_owned(), "user".to_owned(), 105, 105, 0, false)];
        let snap = build(vec!["tr_1".to_owned()], assemble_holds(holds, legs)?, accounts)?;
        let h = &snap.holds["h1"];
        assert_eq!(h.legs.len(), 2);
        assert_eq!(h.legs[1].credit, AccountId(3));
        assert_eq!(snap.accounts[&AccountId(1)].debits_pending, 105);
        assert!(snap.journal_refs.contains("tr_1"));
        Ok(())
    }

    #[test]
    fn refuses_corrupt_values() {
        assert!(currency("USD").is_err());
        assert!(account((1, "usd".to_owned(), "robot".to_owned(), 0, 0, 0, false)).is_err());
    }
}
