//! Card rails: the interface a card processor plugs into, and the built-in simulator of
//! API.md §6.
//!
//! The simulator keeps no card numbers: tokenising a card encodes its test behaviour in the
//! token, the way a real processor's token stands for a card in its own vault.

use okpay_domain::{Amount, CardNumber, Currency, Cvc};

use crate::error::{AppError, Code};

/// A card rail failure, as the processor reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFailure {
    /// Declined by the issuer, with its reason.
    Declined(&'static str),
    /// The CVC did not match.
    IncorrectCvc,
    /// The issuer says the card has expired.
    Expired,
    /// A temporary processing failure; trying again later may work.
    Processing,
}

impl From<CardFailure> for AppError {
    fn from(f: CardFailure) -> Self {
        match f {
            CardFailure::Declined(reason) => {
                AppError { decline_code: Some(reason), ..AppError::new(Code::CardDeclined) }
            }
            CardFailure::IncorrectCvc => AppError::new(Code::IncorrectCvc).param("cvc"),
            CardFailure::Expired => AppError::new(Code::ExpiredCard),
            CardFailure::Processing => AppError::new(Code::ProcessingError),
        }
    }
}

impl CardFailure {
    /// The `failure_code` recorded on the history row.
    pub fn code(self) -> Code {
        match self {
            CardFailure::Declined(_) => Code::CardDeclined,
            CardFailure::IncorrectCvc => Code::IncorrectCvc,
            CardFailure::Expired => Code::ExpiredCard,
            CardFailure::Processing => Code::ProcessingError,
        }
    }
}

/// A card processor.
///
/// Money is taken in two steps, as processors do: [`CardRail::authorise`] asks the issuer to
/// reserve the amount (this is where a card is declined), [`CardRail::capture`] takes it. A
/// captured charge can be given back, in part or in full, with [`CardRail::refund`]. Every call
/// carries our idempotency `reference`: the processor must not act twice for one reference.
pub trait CardRail: Send + Sync {
    /// Exchanges card details for the processor's token (called when a card is added).
    fn tokenize(&self, number: &CardNumber, cvc: &Cvc) -> String;
    /// Pays `amount` out to the tokenised card (a withdrawal). `reference` is our idempotency
    /// reference: the processor must not pay twice for one reference. The processor decides at
    /// once; returns its payout reference.
    fn payout(&self, token: &str, amount: Amount, currency: Currency, reference: &str) -> Result<String, CardFailure>;
    /// Authorises `amount` on the tokenised card; returns the processor's authorisation reference.
    fn authorise(
        &self,
        token: &str,
        amount: Amount,
        currency: Currency,
        reference: &str,
    ) -> Result<String, CardFailure>;
    /// Captures an authorisation in full; returns the processor's charge reference.
    fn capture(&self, authorisation: &str, amount: Amount, reference: &str) -> Result<String, CardFailure>;
    /// Gives `amount` of a captured charge back to the card; returns the refund's reference.
    fn refund(&self, charge_ref: &str, amount: Amount, reference: &str) -> Result<String, CardFailure>;

    /// Authorises and captures `amount` on the tokenised card in one go (card deposits and card
    /// payments); returns the processor's charge reference.
    fn charge(&self, token: &str, amount: Amount, currency: Currency, reference: &str) -> Result<String, CardFailure> {
        let authorisation = self.authorise(token, amount, currency, reference)?;
        self.capture(&authorisation, amount, reference)
    }
}

/// The built-in test-mode card processor.
#[derive(Debug, Clone, Copy, Default)]
pub struct Simulator;

impl Simulator {
    fn behaviour(number: &str) -> &'static str {
        match number {
            "4000000000000002" => "decline_generic",
            "4000000000009995" => "decline_funds",
            "4000000000000127" => "cvc",
            "4000000000000069" => "expired",
            "4000000000000119" => "processing",
            _ => "ok",
        }
    }
}

impl CardRail for Simulator {
    fn tokenize(&self, number: &CardNumber, _cvc: &Cvc) -> String {
        format!("sim_{}_{}", Self::behaviour(number.expose_digits()), okpay_domain::ids::random_token(10))
    }

    fn authorise(
        &self,
        token: &str,
        _amount: Amount,
        _currency: Currency,
        reference: &str,
    ) -> Result<String, CardFailure> {
        let behaviour = token.strip_prefix("sim_").and_then(|t| t.rsplit_once('_')).map(|(b, _)| b);
        match behaviour {
            Some("ok") => Ok(format!("sim_auth_{reference}")),
            Some("decline_generic") => Err(CardFailure::Declined("generic_decline")),
            Some("decline_funds") => Err(CardFailure::Declined("insufficient_funds")),
            Some("cvc") => Err(CardFailure::IncorrectCvc),
            Some("expired") => Err(CardFailure::Expired),
            Some("processing") => Err(CardFailure::Processing),
            _ => Err(CardFailure::Declined("invalid_account")),
        }
    }

    fn payout(&self, token: &str, amount: Amount, currency: Currency, reference: &str) -> Result<String, CardFailure> {
        // The test cards behave for payouts as for charges (API.md §6).
        self.charge(token, amount, currency, reference).map(|_| format!("sim_po_{reference}"))
    }

    fn capture(&self, authorisation: &str, _amount: Amount, _reference: &str) -> Result<String, CardFailure> {
        // The charge reference keeps the form deposits always had (`sim_ch_<reference>`).
        match authorisation.strip_prefix("sim_auth_") {
            Some(reference) => Ok(format!("sim_ch_{reference}")),
            None => Err(CardFailure::Processing),
        }
    }

    fn refund(&self, charge_ref: &str, _amount: Amount, reference: &str) -> Result<String, CardFailure> {
        if charge_ref.starts_with("sim_ch_") { Ok(format!("sim_re_{reference}")) } else { Err(CardFailure::Processing) }
    }
}

#[cfg(test)]
mod tests {
    use okpay_domain::CardBrand;

    use super::*;

    fn charge(number: &str) -> Result<String, CardFailure> {
        let n = CardNumber::parse(number).expect("test card parses");
        let cvc = Cvc::parse("123", CardBrand::Visa).expect("cvc");
        let t = Simulator.tokenize(&n, &cvc);
        assert!(!t.contains(number), "token must not carry the number");
        Simulator.charge(&t, Amount::new(100).expect("amount"), Currency::Usd, "dep_1")
    }

    #[test]
    fn test_cards_behave_as_documented() {
        assert!(charge("4242 4242 4242 4242").is_ok());
        assert!(charge("5555 5555 5555 4444").is_ok());
        assert_eq!(charge("4000 0000 0000 0002"), Err(CardFailure::Declined("generic_decline")));
        assert_eq!(charge("4000 0000 0000 9995"), Err(CardFailure::Declined("insufficient_funds")));
        assert_eq!(charge("4000 0000 0000 0127"), Err(CardFailure::IncorrectCvc));
        assert_eq!(charge("4000 0000 0000 0069"), Err(CardFailure::Expired));
        assert_eq!(charge("4000 0000 0000 0119"), Err(CardFailure::Processing));
    }

    #[test]
    fn payouts_follow_the_test_cards() {
        let cvc = Cvc::parse("123", CardBrand::Visa).expect("cvc");
        let payout = |number: &str| {
            let t = Simulator.tokenize(&CardNumber::parse(number).expect("card"), &cvc);
            Simulator.payout(&t, Amount::new(100).expect("amount"), Currency::Usd, "wd_1")
        };
        assert_eq!(payout("4242424242424242"), Ok("sim_po_wd_1".to_owned()));
        assert!(payout("5555555555554444").is_ok());
        assert_eq!(payout("4000000000000002"), Err(CardFailure::Declined("generic_decline")));
        assert_eq!(payout("4000000000009995"), Err(CardFailure::Declined("insufficient_funds")));
    }

    #[test]
    fn charges_are_authorised_then_captured_and_refundable() {
        let n = CardNumber::parse("4242 4242 4242 4242").expect("test card parses");
        let cvc = Cvc::parse("123", CardBrand::Visa).expect("cvc");
        let token = Simulator.tokenize(&n, &cvc);
        let amount = Amount::new(500).expect("amount");
        let auth = Simulator.authorise(&token, amount, Currency::Eur, "pay_1");
        assert_eq!(auth.as_deref(), Ok("sim_auth_pay_1"));
        let charge = Simulator.capture("sim_auth_pay_1", amount, "pay_1");
        assert_eq!(charge.as_deref(), Ok("sim_ch_pay_1"));
        assert_eq!(Simulator.refund("sim_ch_pay_1", amount, "re_1").as_deref(), Ok("sim_re_re_1"));
        assert_eq!(Simulator.capture("bogus", amount, "pay_1"), Err(CardFailure::Processing));
        assert_eq!(Simulator.refund("bogus", amount, "re_1"), Err(CardFailure::Processing));
    }
}
