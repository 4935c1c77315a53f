//! [`okpay_app::ports::AppStore`]'s own methods (backend name, ping, the after-money commit),
//! the same on both backends but for how a batch of flags is bound: one implementation is
//! generated for each store type.

/// The [`okpay_app::ports::AppStore`] implementation for `$store`, expanded in its backend's
/// module (whose `NAME` and `idempotency::insert_responses` it uses); `$add_flags` inserts a
/// batch of flags inside a transaction.
macro_rules! impl_app_store {
    ($store:ty, $add_flags:path) => {
        #[async_trait]
        impl AppStore for $store {
            fn backend(&self) -> &'static str {
                NAME
            }

            async fn ping(&self) -> Result<(), StorageError> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(app_error)?;
                Ok(())
            }

            async fn store_after_money(
                &self,
                responses: &[okpay_app::ports::KeyedResponse],
                flags: &[okpay_app::ports::FlagRecord],
            ) -> Result<(), StorageError> {
                if responses.is_empty() && flags.is_empty() {
                    return Ok(());
                }
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin().await.map_err(app_error)?;
                if !responses.is_empty() {
                    idempotency::insert_responses(&mut *tx, responses).await?;
                }
                if !flags.is_empty() {
                    $add_flags(&mut *tx, flags).await?;
                }
                tx.commit().await.map_err(app_error)
            }
        }
    };
}
pub(crate) use impl_app_store;
