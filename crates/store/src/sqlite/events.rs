//! [`okpay_app::ports::EventStore`] on SQLite (one writer at a time, so the claiming `UPDATE` is
//! atomic on its own).

crate::event_sql::event_store!(super::SqliteStore, "");
