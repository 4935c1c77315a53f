//! Linking cards and bank accounts. Only brand, last four and expiry of a card are kept, plus
//! the rail's token; the number and CVC go to the rail and nowhere else.

use okpay_domain::ids::IdKind;
use okpay_domain::time::now_us;
use okpay_domain::user::parse_name;
use okpay_domain::{CardNumber, Cvc, Expiry};
use time::OffsetDateTime;

use crate::error::{AppError, Code};
use crate::ports::PaymentMethodRecord;
use crate::{App, Caller};

/// Card details as received.
#[derive(Debug, Clone)]
pub struct CardInput {
    /// Number, spaces and dashes allowed.
    pub number: String,
    /// 1–12.
    pub exp_month: i64,
    /// Four-digit (or two-digit) year.
    pub exp_year: i64,
    /// Security code.
    pub cvc: String,
    /// Name on the card.
    pub holder_name: String,
}

/// Bank account details as received.
#[derive(Debug, Clone)]
pub struct BankInput {
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// Account number or IBAN (spaces allowed).
    pub account_number: String,
    /// Account holder.
    pub holder_name: String,
    /// Bank name, if given.
    pub bank_name: Option<String>,
}

impl App {
    /// Validates a card, tokenises it with the rail and stores what may be stored.
    pub async fn add_card(&self, caller: &Caller, input: CardInput) -> Result<PaymentMethodRecord, AppError> {
        let number = CardNumber::parse(&input.number).map_err(|e| AppError::invalid(e, "card[number]"))?;
        let today = OffsetDateTime::now_utc();
        let expiry = Expiry::parse(input.exp_month, input.exp_year, (today.year(), u8::from(today.month())))
            .map_err(|e| AppError::invalid(e, "card[exp_month]"))?;
        let cvc = Cvc::parse(&input.cvc, number.brand()).map_err(|e| AppError::invalid(e, "card[cvc]"))?;
        let holder = parse_name(&input.holder_name).map_err(|e| AppError::invalid(e, "card[holder_name]"))?;
        let record = PaymentMethodRecord {
            id: IdKind::PaymentMethod.random(),
            user_id: caller.id().to_owned(),
            kind: "card".into(),
            brand: Some(number.brand().as_str().to_owned()),
            last4: number.last4().to_owned(),
            exp_month: Some(i64::from(expiry.month)),
            exp_year: Some(i64::from(expiry.year)),
            holder_name: holder,
            bank_name: None,
            country: None,
            rail_token: self.cards.tokenize(&number, &cvc),
            created_at_us: now_us(),
        };
        self.store.insert_payment_method(&record).await?;
        Ok(record)
    }

    /// Validates and stores a bank account (last four digits only).
    pub async fn add_bank_account(&self, caller: &Caller, input: BankInput) -> Result<PaymentMethodRecord, AppError> {
        let country = input.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(AppError::new(Code::ParameterInvalid).param("bank_account[country]"));
        }
        let number: String = input.account_number.chars().filter(|c| *c != ' ' && *c != '-').collect();
        let valid = (4..=34).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid || !number.bytes().rev().take(4).all(|b| b.is_ascii_digit()) {
            return Err(AppError::new(Code::InvalidAccountNumber).param("bank_account[account_number]"));
        }
        let holder = parse_name(&input.holder_name).map_err(|e| AppError::invalid(e, "bank_account[holder_name]"))?;
        let bank_name = match input.bank_name.as_deref() {
            Some(b) => Some(parse_name(b).map_err(|e| AppError::invalid(e, "bank_account[bank_name]"))?),
            None => None,
        };
        let last4 = number[number.len() - 4..].to_owned();
        let record = PaymentMethodRecord {
            id: IdKind::PaymentMethod.random(),
            user_id: caller.id().to_owned(),
            kind: "bank_account".into(),
            brand: None,
            last4: last4.clone(),
            exp_month: None,
            exp_year: None,
            holder_name: holder,
            bank_name,
            country: Some(country),
            // The bank simulator only needs the outcome digits; a real rail returns its own id.
            rail_token: format!("simbank_{last4}_{}", okpay_domain::ids::random_token(10)),
            created_at_us: now_us(),
        };
        self.store.insert_payment_method(&record).await?;
        Ok(record)
    }

    /// The caller's payment methods, newest first.
    pub async fn payment_methods(&self, caller: &Caller) -> Result<Vec<PaymentMethodRecord>, AppError> {
        Ok(self.store.payment_methods(caller.id()).await?)
    }
}
