//! Two-step verification: TOTP set-up, confirmation, the check at sign-in, and turning it off.
//!
//! Set-up is two steps so a user who never scanned the QR code is not locked out: `begin`
//! stores an unconfirmed secret, `confirm` proves the app works with a first code and only then
//! turns the check on and hands out ten single-use recovery codes. A code is accepted once:
//! the store keeps the last accepted step and advances it with a conditional update.

use okpay_domain::ids::token_hash;
use okpay_domain::time::now_us;
use okpay_domain::totp::{self, TotpSecret};

use crate::audit::Event;
use crate::error::{AppError, Code};
use crate::ports::{TotpRecord, UserRecord};
use crate::{App, Caller};

/// A started set-up: what the authenticator app needs.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    /// Base32 secret, for typing into an app by hand.
    pub secret: String,
    /// `otpauth://totp/OKPay:<email>?secret=...&issuer=OKPay`, for a QR code.
    pub otpauth_uri: String,
}

fn now_secs() -> u64 {
    u64::try_from(now_us() / 1_000_000).unwrap_or(0)
}

fn step_i64(step: u64) -> Result<i64, AppError> {
    i64::try_from(step).map_err(|_| AppError::internal("TOTP step out of range"))
}

impl App {
    /// Starts TOTP set-up (or restarts an unconfirmed one).
    pub async fn totp_begin(&self, caller: &Caller) -> Result<TotpSetup, AppError> {
        let secret = TotpSecret::generate();
        let otpauth_uri =
            secret.uri(&caller.user.email).ok_or_else(|| AppError::internal("could not build the otpauth URI"))?;
        if !self.store.begin_totp(caller.id(), secret.as_base32(), now_us()).await? {
            return Err(AppError::new(Code::TotpAlreadyEnabled));
        }
        Ok(TotpSetup { secret: secret.as_base32().to_owned(), otpauth_uri })
    }

    /// Confirms set-up with a first code; returns the ten recovery codes (shown once).
    pub async fn totp_confirm(&self, caller: &Caller, code: &str) -> Result<Vec<String>, AppError> {
        let record = match self.store.totp(caller.id()).await? {
            Some(r) if r.confirmed => return Err(AppError::new(Code::TotpAlreadyEnabled)),
            Some(r) => r,
            None => return Err(AppError::new(Code::TotpNotEnabled)),
        };
        let step = TotpSecret::from_base32(record.secret.clone())
            .check(code, now_secs())
            .ok_or_else(|| AppError::new(Code::OtpInvalid).param("code"))?;
        let codes = totp::recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| token_hash(&c.replace('-', ""))).collect();
        if !self.store.confirm_totp(caller.id(), &record.secret, step_i64(step)?, &hashes).await? {
            // A concurrent begin replaced the secret, or a concurrent confirm won.
            return Err(AppError::new(Code::OtpInvalid).param("code"));
        }
        self.audit(Event::by(caller, "totp_enabled")).await?;
        Ok(codes)
    }

    /// Turns TOTP off; needs a current code (or a recovery code).
    pub async fn totp_disable(&self, caller: &Caller, code: &str) -> Result<(), AppError> {
        let record = match self.store.totp(caller.id()).await? {
            Some(r) if r.confirmed => r,
            _ => return Err(AppError::new(Code::TotpNotEnabled)),
        };
        if !self.accept_second_factor(caller.id(), &record, code).await? {
            self.audit(Event { success: false, reason: Some("otp_invalid"), ..Event::by(caller, "totp_disabled") })
                .await?;
            return Err(AppError::new(Code::OtpInvalid).param("code"));
        }
        self.store.delete_totp(caller.id()).await?;
        self.audit(Event::by(caller, "totp_disabled")).await?;
        Ok(())
    }

    /// The sign-in check: nothing to do without confirmed TOTP; otherwise `otp` must be a
    /// current, unused TOTP code or an unused recovery code.
    pub async fn check_second_factor(&self, user: &UserRecord, otp: Option<&str>) -> Result<(), AppError> {
        let Some(record) = self.store.totp(&user.id).await?.filter(|r| r.confirmed) else {
            return Ok(());
        };
        let Some(otp) = otp.filter(|o| !o.trim().is_empty()) else {
            return Err(AppError::new(Code::OtpRequired).param("otp"));
        };
        if self.accept_second_factor(&user.id, &record, otp).await? {
            Ok(())
        } else {
            Err(AppError::new(Code::OtpInvalid).param("otp"))
        }
    }

    /// Checks and consumes a TOTP code or recovery code against the user's confirmed set-up.
    async fn accept_second_factor(&self, user_id: &str, record: &TotpRecord, code: &str) -> Result<bool, AppError> {
        if code.len() > 64 {
            return Ok(false);
        }
        if totp::is_totp_code(code) {
            let secret = TotpSecret::from_base32(record.secret.clone());
            let Some(step) = secret.check(code, now_secs()) else { return Ok(false) };
            return Ok(self.store.use_totp_step(user_id, step_i64(step)?).await?);
        }
        let Some(normalised) = totp::normalise_recovery_code(code) else { return Ok(false) };
        Ok(self.store.use_recovery_code(user_id, &token_hash(&normalised), now_us()).await?)
    }
}
