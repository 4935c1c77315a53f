//! [`okpay_app::ports::AppStore`]'s own methods (backend name, ping, the after-money commit):
//! one implementation is generated for each store type, with the after-money commit written
//! per backend.

/// The [`okpay_app::ports::AppStore`] implementation for `$store`, expanded in its backend's
/// module (whose `NAME` it uses); `$after_money` stores a batch of responses and flags in one
/// transaction.
macro_rules! impl_app_store {
    ($store:ty, $after_money:path) => {
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
                $after_money(self, responses, flags).await
            }
        }
    };
}
pub(crate) use impl_app_store;
