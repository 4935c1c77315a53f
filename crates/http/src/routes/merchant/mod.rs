//! `/v1/merchant`: the signed-in business user's merchant settings.
pub mod get;
pub mod update;
