//! `POST /v1/users/verify-email`: the emailed link proves the address; the account becomes
//! `active` (a locked or frozen account stays so, with its email now verified).

use crate::App;
use crate::error::AppError;
use crate::ports::{Redemption, TokenPurpose, UserRecord};

impl App {
    /// Verifies the email of the token's account; returns the updated user.
    pub async fn verify_email(&self, token: &str) -> Result<UserRecord, AppError> {
        self.check_token(token, TokenPurpose::VerifyEmail).await?;
        self.redeem(token, TokenPurpose::VerifyEmail, &Redemption::VerifyEmail, None).await
    }
}
