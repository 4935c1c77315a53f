//! Withdrawal fees per method and currency, as configured (`withdrawal_fees_bank_account`,
//! `withdrawal_fees_card`): each a fixed part in minor units plus basis points.

use okpay_domain::Currency;
use okpay_domain::withdrawal::{FeeRule, WithdrawalMethod};

/// The fee rule of every (method, currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalFees {
    bank_account: [FeeRule; 4],
    card: [FeeRule; 4],
}

impl Default for WithdrawalFees {
    /// Bank transfers: a fixed 0.25 usd / 0.25 eur / 2.00 cny / 30 jpy; cards: 1.5 % everywhere.
    fn default() -> Self {
        let fixed = |fixed_minor| FeeRule { fixed_minor, bps: 0 };
        let card = FeeRule { fixed_minor: 0, bps: 150 };
        WithdrawalFees { bank_account: [fixed(25), fixed(25), fixed(200), fixed(30)], card: [card; 4] }
    }
}

fn slot(currency: Currency) -> usize {
    match currency {
        Currency::Usd => 0,
        Currency::Eur => 1,
        Currency::Cny => 2,
        Currency::Jpy => 3,
    }
}

impl WithdrawalFees {
    /// The rule for `method` in `currency`.
    pub fn rule(&self, method: WithdrawalMethod, currency: Currency) -> FeeRule {
        match method {
            WithdrawalMethod::BankAccount => self.bank_account[slot(currency)],
            WithdrawalMethod::Card => self.card[slot(currency)],
        }
    }

    /// Replaces the rule for `method` in `currency`.
    pub fn set(&mut self, method: WithdrawalMethod, currency: Currency, rule: FeeRule) {
        match method {
            WithdrawalMethod::BankAccount => self.bank_account[slot(currency)] = rule,
            WithdrawalMethod::Card => self.card[slot(currency)] = rule,
        }
    }

    /// Applies a configuration value such as `"usd:25, eur:25, cny:200, jpy:30+50bps"` to
    /// `method`; currencies it does not name keep their rule.
    pub fn apply(&mut self, method: WithdrawalMethod, table: &str) -> Result<(), String> {
        for entry in table.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (code, rule) = entry
                .split_once(':')
                .ok_or_else(|| format!("expected <currency>:<fee> such as usd:25, got {entry:?}"))?;
            let currency: Currency =
                code.trim().parse().map_err(|_| format!("unknown currency {:?} in {entry:?}", code.trim()))?;
            let rule: FeeRule = rule.parse().map_err(|e| format!("{currency}: {e}"))?;
            self.set(method, currency, rule);
        }
        Ok(())
    }

    /// The configuration value of `method` (the inverse of [`WithdrawalFees::apply`]).
    pub fn describe(&self, method: WithdrawalMethod) -> String {
        Currency::ALL.iter().map(|&c| format!("{}:{}", c.code(), self.rule(method, c))).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let mut f = WithdrawalFees::default();
        assert_eq!(f.rule(WithdrawalMethod::BankAccount, Currency::Cny), FeeRule { fixed_minor: 200, bps: 0 });
        assert_eq!(f.rule(WithdrawalMethod::Card, Currency::Jpy), FeeRule { fixed_minor: 0, bps: 150 });
        assert_eq!(f.describe(WithdrawalMethod::BankAccount), "usd:25+0bps, eur:25+0bps, cny:200+0bps, jpy:30+0bps");
        f.apply(WithdrawalMethod::Card, "usd: 10+200bps , jpy:0").expect("valid");
        assert_eq!(f.rule(WithdrawalMethod::Card, Currency::Usd), FeeRule { fixed_minor: 10, bps: 200 });
        assert_eq!(f.rule(WithdrawalMethod::Card, Currency::Jpy), FeeRule::default());
        assert_eq!(f.rule(WithdrawalMethod::Card, Currency::Eur), FeeRule { fixed_minor: 0, bps: 150 });
        let round = f.describe(WithdrawalMethod::Card);
        let mut g = WithdrawalFees::default();
        g.apply(WithdrawalMethod::Card, &round).expect("round trip");
        assert_eq!(g, f);
        for bad in ["usd", "xyz:1", "usd:-1", "usd:1.5"] {
            assert!(WithdrawalFees::default().apply(WithdrawalMethod::Card, bad).is_err(), "{bad}");
        }
    }
}
