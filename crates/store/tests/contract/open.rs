//! Opening and migrating databases by URL.

use okpay_store::StoreError;
use okpay_store::testing::{TestBackend, TestDb};

use crate::common::{TestResult, contract};

contract!(migrations_run_once);

async fn migrations_run_once(b: TestBackend) -> TestResult {
    let Some(db) = TestDb::new(b).await? else { return Ok(()) };
    okpay_store::migrate(&db.url).await?;
    okpay_store::migrate(&db.url).await?;
    let stores = db.open().await?;
    let again = db.open().await?;
    assert_eq!((stores.backend, again.backend, stores.app.backend()), (b.name(), b.name(), b.name()));
    stores.app.ping().await?;
    Ok(())
}

trait Name {
    fn name(self) -> &'static str;
}

impl Name for TestBackend {
    fn name(self) -> &'static str {
        match self {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        }
    }
}

#[tokio::test]
async fn sqlite_creates_missing_directories() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("a").join("b").join("okpay.db");
    let stores = okpay_store::open(&format!("sqlite://{}", file.display())).await?;
    assert!(file.exists());
    stores.app.ping().await?;
    Ok(())
}

#[tokio::test]
async fn unknown_urls_are_refused() {
    for url in ["mysql://root@localhost/okpay", "okpay.db", ""] {
        assert!(matches!(okpay_store::open(url).await, Err(StoreError::BadUrl(_))), "{url}");
    }
}
