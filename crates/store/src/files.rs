//! [`DocumentFiles`] in a directory (`<data dir>/documents/`): one file per upload under a
//! random name, never the client's. The directory is not under any web root and nothing
//! serves it statically; staff read files through the API, which checks roles and audits.
//!
//! A file is written under a temporary name, flushed to disk, then renamed into place and the
//! directory flushed, so a crash leaves either the whole file or a `.tmp-` leftover, never a
//! half-written file under a real key.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use okpay_app::ports::DocumentFiles;
use okpay_domain::ids::random_token;
use okpay_ledger::StorageError;

/// Random bytes in a file name (160 bits).
const KEY_BYTES: usize = 20;

/// Uploaded files kept in one directory.
#[derive(Debug, Clone)]
pub struct DirectoryFiles {
    dir: PathBuf,
}

impl DirectoryFiles {
    /// Uses `dir`, creating it (owner-only on Unix) if missing.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<DirectoryFiles> {
        let dir = dir.into();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        Ok(DirectoryFiles { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `key`, or `None` for anything that is not a key this store made (so no
    /// key can name a file outside the directory).
    fn path(&self, key: &str) -> Option<PathBuf> {
        let valid = !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric());
        valid.then(|| self.dir.join(key))
    }
}

fn io_error(what: &str, e: std::io::Error) -> StorageError {
    StorageError { message: format!("document files: {what}: {e}"), retryable: false }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError { message: format!("document files: task failed: {e}"), retryable: false })?
}

/// Writes `content` to `tmp`, flushes it, renames it to `path` and flushes the directory.
fn write_durably(dir: &Path, tmp: &Path, path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(tmp)?;
    file.write_all(content)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl DocumentFiles for DirectoryFiles {
    async fn put(&self, content: &[u8]) -> Result<String, StorageError> {
        let key = random_token(KEY_BYTES);
        let dir = self.dir.clone();
        let path = dir.join(&key);
        let tmp = dir.join(format!(".tmp-{key}"));
        let content = content.to_vec();
        blocking(move || match write_durably(&dir, &tmp, &path, &content) {
            Ok(()) => Ok(key),
            Err(e) => {
                // Nothing may stay behind: neither the temporary file nor a renamed one.
                let _ = std::fs::remove_file(&tmp);
                let _ = std::fs::remove_file(&path);
                Err(io_error("write", e))
            }
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let Some(path) = self.path(key) else { return Ok(None) };
        blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", e)),
        })
        .await
    }

    async fn remove(&self, key: &str) -> Result<(), StorageError> {
        let Some(path) = self.path(key) else { return Ok(()) };
        blocking(move || match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("remove", e)),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn files_round_trip_under_random_names_and_keys_cannot_escape() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let files = DirectoryFiles::open(tmp.path().join("documents")).expect("open");
        let a = files.put(b"%PDF-1.7 one").await.expect("put");
        let b = files.put(b"%PDF-1.7 one").await.expect("put");
        assert_ne!(a, b, "same content, different keys");
        assert!(a.len() >= 32 && a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(files.get(&a).await.expect("get").as_deref(), Some(&b"%PDF-1.7 one"[..]));
        let names: Vec<_> =
            std::fs::read_dir(files.dir()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
        std::fs::write(tmp.path().join("secret"), b"x").expect("write");
        assert_eq!(files.get("../secret").await.expect("get"), None);
        files.remove("../secret").await.expect("remove is a no-op");
        assert!(tmp.path().join("secret").exists());
        files.remove(&a).await.expect("remove");
        files.remove(&a).await.expect("removing twice is fine");
        assert_eq!(files.get(&a).await.expect("get"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(files.dir().join(&b)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read uploads");
        }
    }
}
