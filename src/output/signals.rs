//! Interruptions: what an output in progress must undo when the process is
//! told to stop.
//!
//! Each open output registers its staging path and lock file. A thread
//! waits for SIGINT and SIGTERM (delivered through `signal-hook`'s pipe, the
//! only safe thing a handler can do), takes the registry for writing, which
//! waits for any file being written or swapped into place to finish, removes
//! the staging paths and lock files, and exits 130 or 143. SIGKILL cannot be
//! caught: what it leaves is hidden beside the target and removed by the
//! next command that takes the lock.

use std::path::{Path, PathBuf};
use std::sync::{Once, RwLock, RwLockReadGuard};

struct Open {
    id: u64,
    staging: PathBuf,
    lock: PathBuf,
}

pub(super) struct Registry {
    next: u64,
    open: Vec<Open>,
}

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    next: 0,
    open: Vec::new(),
});

/// Ignore SIGXFSZ (a file-size limit then gives EFBIG, reported with the
/// file's name) and start the thread that cleans up on SIGINT and SIGTERM.
pub(super) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            // SAFETY: setting a signal's disposition to SIG_IGN is always sound.
            unsafe {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            }
            use signal_hook::consts::{SIGINT, SIGTERM};
            // Without the thread, an interruption just leaves the staging
            // folder for the next run to remove.
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
                let _ = std::thread::Builder::new()
                    .name("targetsim-signals".into())
                    .spawn(move || {
                        if let Some(sig) = signals.forever().next() {
                            clean_up_and_exit(sig);
                        }
                    });
            }
        }
    });
}

fn clean_up_and_exit(sig: i32) -> ! {
    let registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    for o in &registry.open {
        let _ = super::remove_any(&o.staging);
        let _ = std::fs::remove_file(&o.lock);
    }
    if registry.open.is_empty() {
        eprintln!("\ninterrupted");
    } else {
        eprintln!("\ninterrupted: the output is as it was before this command");
    }
    std::process::exit(128 + sig);
}

/// Remove `staging` and `lock` if the process is interrupted.
pub(super) fn register(staging: &Path, lock: &Path) -> u64 {
    let mut r = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    r.next += 1;
    let id = r.next;
    r.open.push(Open {
        id,
        staging: staging.to_path_buf(),
        lock: lock.to_path_buf(),
    });
    id
}

pub(super) fn unregister(id: u64) {
    let mut r = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    r.open.retain(|o| o.id != id);
}

/// Held while writing or swapping, so an interruption waits for the step
/// to finish instead of removing a folder under it.
pub(super) fn hold() -> RwLockReadGuard<'static, Registry> {
    REGISTRY.read().unwrap_or_else(|e| e.into_inner())
}
