//! One writer per output: an advisory lock on a file beside the target.
//!
//! `std::fs::File::try_lock` (flock on Unix, LockFileEx on Windows) is
//! enough: the lock is released by the kernel when the process dies, however
//! it dies, so a lock file left by a killed run never blocks the next one.

use crate::error::RunError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A held lock; dropping it removes the lock file, then releases it.
pub(super) struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    /// Take the lock at `path` or refuse at once, naming `shown` and the
    /// holder's process id.
    pub(super) fn acquire(path: &Path, shown: &Path) -> Result<Lock, RunError> {
        let refuse = |message: String| RunError::OutputDir {
            path: shown.to_path_buf(),
            message,
        };
        // A holder that finishes removes the file; someone who opened it just
        // before then locks a file nobody else sees. So after locking, check
        // that the path still names the locked file, and retry if not.
        for _ in 0..16 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|e| {
                    refuse(format!(
                        "cannot create the lock file {}: {e}",
                        path.display()
                    ))
                })?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = match holder.trim().parse::<u32>() {
                        Ok(pid) => format!(" (process {pid})"),
                        Err(_) => String::new(),
                    };
                    return Err(refuse(format!(
                        "another targetsim command{holder} is writing it; wait for it to finish or choose another directory"
                    )));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(refuse(format!("cannot lock {}: {e}", path.display())));
                }
            }
            if still_named(&file, path) {
                let _ = file.set_len(0);
                let _ = file.rewind();
                let _ = write!(file, "{}", std::process::id());
                return Ok(Lock {
                    path: path.to_path_buf(),
                    _file: file,
                });
            }
        }
        Err(refuse(format!(
            "cannot lock {}: it keeps being replaced",
            path.display()
        )))
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so nobody can lock the old file and
        // believe it current (see `acquire`).
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named(_file: &File, path: &Path) -> bool {
    path.exists()
}
