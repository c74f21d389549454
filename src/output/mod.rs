//! Where results go: every command's files appear together or not at all.
//!
//! A command that writes a folder opens a [`Staging`] before its long
//! computation, writes each result into it, and [`Staging::commit`]s at the
//! end. The files go to a hidden staging folder beside the target
//! (`.<name>.targetsim-staging-<pid>` in the target's parent); at commit the
//! files the folder holds from *other* targetsim commands (run, calibrate,
//! compare and backtest share `output/<scenario>/`) are hard-linked into it,
//! and the staging folder is swapped with the target in one step
//! (`renameat2(RENAME_EXCHANGE)` on Linux; elsewhere two renames). So:
//!
//! - a run that fails, is interrupted or killed, or runs out of disk leaves
//!   the previous folder exactly as it was; readers never see a mix;
//! - the files of the command's previous run that this run does not write
//!   (`report.html` after `--no-report`) are gone, and no temporary file is
//!   ever inside the target;
//! - a marker, `.targetsim-<command>` (for example `.targetsim-run`), lists
//!   every file the command wrote with its SHA-256, so anyone can check that
//!   the files in the folder all come from one run.
//!
//! Guards, all checked in [`Staging::begin`] before any computation:
//!
//! - one writer per target: a lock file beside it
//!   (`.<name>.targetsim-lock`); a second command is refused at once. The
//!   lock also tells that staging folders left by killed runs are dead, so
//!   they are removed then.
//! - no input is overwritten: a target that is, or holds, one of the
//!   command's input files is refused, naming both.
//! - a folder is replaced whole, so it must be new, empty, or hold only
//!   targetsim results. A folder with other files (a scenario, notes) is
//!   refused rather than emptied, and so is the current directory or a
//!   folder holding it (swapping it would pull the directory from under the
//!   shell). Old temporary files of earlier versions are dropped.
//!
//! SIGINT and SIGTERM remove the staging folder before exiting (130, 143);
//! SIGXFSZ is ignored, so a file-size limit shows as a write error naming
//! the file (exit 1) instead of killing the process.

mod lock;
mod signals;

use crate::error::RunError;
use lock::Lock;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The files one command writes into its output folder, by top-level name.
#[derive(Debug)]
pub struct Results {
    /// The subcommand, which names the marker `.targetsim-<command>`.
    pub command: &'static str,
    names: &'static [&'static str],
    prefixes: &'static [&'static str],
}

/// `run`, one-year and multi-year.
pub const RUN: Results = Results {
    command: "run",
    names: &[
        "summary.json",
        "indicators.csv",
        "targets.csv",
        "required_path.csv",
        "results.xlsx",
        "tornado.svg",
        "tornado.png",
        "pipeline.svg",
        "pipeline.png",
        "charts",
        "report.html",
    ],
    prefixes: &[],
};

/// `calibrate`.
pub const CALIBRATE: Results = Results {
    command: "calibrate",
    names: &[
        "calibration.json",
        "calibration.csv",
        "calibration.xlsx",
        "calibration.html",
        "calibration.svg",
        "calibration.png",
    ],
    prefixes: &[],
};

/// `compare`.
pub const COMPARE: Results = Results {
    command: "compare",
    names: &[
        "comparison.json",
        "comparison.csv",
        "comparison.xlsx",
        "comparison.svg",
        "comparison.png",
        "comparison.html",
    ],
    prefixes: &["comparison-variants-"],
};

/// `backtest`.
pub const BACKTEST: Results = Results {
    command: "backtest",
    names: &[
        "backtest.json",
        "forecasts.svg",
        "forecasts.png",
        "pit.svg",
        "pit.png",
    ],
    prefixes: &[],
};

const ALL: [&Results; 4] = [&RUN, &CALIBRATE, &COMPARE, &BACKTEST];

/// Files an operating system's file browser leaves in any folder; kept.
const OS_LITTER: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

impl Results {
    /// The marker's file name, e.g. `.targetsim-run`.
    pub fn marker(&self) -> String {
        format!(".targetsim-{}", self.command)
    }

    /// Whether a top-level entry of the folder is this command's.
    pub fn owns(&self, name: &str) -> bool {
        self.names.contains(&name)
            || self.prefixes.iter().any(|p| name.starts_with(p))
            || name == self.marker()
    }
}

/// What an entry of an existing output folder is.
enum Entry {
    /// Written by this command: replaced.
    Own,
    /// Written by another targetsim command, or a file browser: kept.
    Keep,
    /// A temporary file an interrupted earlier version left: dropped.
    Litter,
    /// Anything else.
    Foreign,
}

fn classify(results: &Results, name: &str) -> Entry {
    if results.owns(name) {
        Entry::Own
    } else if ALL.iter().any(|r| r.owns(name)) || OS_LITTER.contains(&name) {
        Entry::Keep
    } else if name.starts_with(".targetsim-check")
        || ALL
            .iter()
            .flat_map(|r| r.names)
            .any(|n| name.starts_with(&format!(".{n}.")))
    {
        Entry::Litter
    } else {
        Entry::Foreign
    }
}

/// A target path resolved, locked, and with stale leftovers removed.
struct Slot {
    /// As the user wrote it, for messages.
    shown: PathBuf,
    /// Absolute, symbolic links resolved.
    target: PathBuf,
    parent: PathBuf,
    name: String,
    lock: Lock,
}

impl Slot {
    fn open(shown: &Path, inputs: &[&Path], folder: bool) -> Result<Slot, RunError> {
        signals::install();
        let refuse = |message: String| RunError::OutputDir {
            path: shown.to_path_buf(),
            message,
        };
        let target = resolve(shown).map_err(|e| {
            refuse(format!(
                "cannot create the output {}: {e}",
                if folder { "directory" } else { "file's folder" }
            ))
        })?;
        let (Some(parent), Some(name)) =
            (target.parent(), target.file_name().and_then(|n| n.to_str()))
        else {
            return Err(refuse(
                "cannot be replaced (it has no parent folder or its name is not UTF-8)".into(),
            ));
        };
        let (parent, name) = (parent.to_path_buf(), name.to_string());
        for input in inputs {
            if same_or_inside(input, &target) {
                return Err(refuse(format!(
                    "{} {}, an input of this command; writing the results there would replace it",
                    if folder { "holds" } else { "is" },
                    input.display()
                )));
            }
        }
        if folder
            && let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize())
            && cwd.starts_with(&target)
        {
            return Err(refuse(
                "is the current directory or holds it; an output folder is replaced whole, which would pull it from under you".into(),
            ));
        }
        let lock = Lock::acquire(&parent.join(format!(".{name}.targetsim-lock")), shown)?;
        let slot = Slot {
            shown: shown.to_path_buf(),
            target,
            parent,
            name,
            lock,
        };
        slot.remove_stale();
        Ok(slot)
    }

    fn hidden(&self, what: &str) -> PathBuf {
        self.parent.join(format!(
            ".{}.targetsim-{what}-{}",
            self.name,
            std::process::id()
        ))
    }

    /// Staging folders and old folders of runs that were killed: we hold
    /// the lock, so their writers are dead. If a run died between the two
    /// renames of a swap, the old folder goes back into place first.
    fn remove_stale(&self) {
        let Ok(entries) = std::fs::read_dir(&self.parent) else {
            return;
        };
        let prefix = format!(".{}.targetsim-", self.name);
        let mut stale: Vec<PathBuf> = Vec::new();
        for e in entries.flatten() {
            let n = e.file_name();
            let Some(n) = n.to_str() else { continue };
            if let Some(rest) = n.strip_prefix(&prefix)
                && (rest.starts_with("staging-") || rest.starts_with("old-"))
            {
                stale.push(e.path());
            }
        }
        stale.sort();
        if !exists(&self.target)
            && let Some(old) = stale.iter().position(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n[prefix.len()..].starts_with("old-"))
            })
            && std::fs::rename(&stale[old], &self.target).is_ok()
        {
            stale.remove(old);
        }
        for p in stale {
            let _ = remove_any(&p);
        }
    }
}

/// An output folder being built; see the module documentation.
pub struct Staging {
    results: &'static Results,
    slot: Slot,
    /// The staging folder.
    dir: PathBuf,
    /// Relative name -> `sha256:<hex>` of every file written.
    files: Mutex<BTreeMap<String, String>>,
    registration: u64,
}

impl Staging {
    /// Check the target, lock it and open a staging folder beside it. Call
    /// before the long computation: every refusal (exit 2) comes from here.
    /// `inputs` are the files the command reads, which it must not replace.
    pub fn begin(
        results: &'static Results,
        target_dir: &Path,
        inputs: &[&Path],
    ) -> Result<Staging, RunError> {
        let slot = Slot::open(target_dir, inputs, true)?;
        let refuse = |message: String| RunError::OutputDir {
            path: slot.shown.clone(),
            message,
        };
        let mut mode = None;
        match std::fs::metadata(&slot.target) {
            Ok(m) if m.is_dir() => {
                if is_mount_point(&m, &slot.parent) {
                    return Err(refuse(
                        "is a mount point; an output folder is replaced whole, so choose a folder inside it".into(),
                    ));
                }
                mode = Some(m.permissions());
                let foreign = foreign_entries(results, &slot.target)
                    .map_err(|e| refuse(format!("cannot list the output directory: {e}")))?;
                if !foreign.is_empty() {
                    let n = foreign.len();
                    let list: Vec<&str> = foreign.iter().take(3).map(String::as_str).collect();
                    let more = if n > 3 {
                        format!(" and {} more", n - 3)
                    } else {
                        String::new()
                    };
                    return Err(refuse(format!(
                        "holds files targetsim did not write ({}{more}); an output folder is replaced whole, so it must be new, empty or hold only targetsim results",
                        list.join(", ")
                    )));
                }
            }
            Ok(_) => return Err(refuse("exists and is not a directory".into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(refuse(format!("cannot read the output directory: {e}"))),
        }
        let dir = slot.hidden("staging");
        let _ = remove_any(&dir);
        let registration = signals::register(&dir, slot.lock.path());
        let staging = Staging {
            results,
            slot,
            dir,
            files: Mutex::new(BTreeMap::new()),
            registration,
        };
        std::fs::create_dir(&staging.dir).map_err(|e| RunError::OutputDir {
            path: staging.slot.shown.clone(),
            message: format!(
                "cannot create the staging folder {}: {e}",
                staging.dir.display()
            ),
        })?;
        if let Some(mode) = mode {
            let _ = std::fs::set_permissions(&staging.dir, mode);
        }
        Ok(staging)
    }

    /// The target as the user named it.
    pub fn dir(&self) -> &Path {
        &self.slot.shown
    }

    /// Stage one result, `name` relative to the folder (`charts/x.svg`).
    /// Returns where the file will be once committed. Safe to call from
    /// several threads at once.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, RunError> {
        let shown = self.slot.shown.join(name);
        let fail = |message: String| RunError::Output {
            path: shown.clone(),
            message,
        };
        let mut parts = Path::new(name).components();
        let first = match parts.next() {
            Some(Component::Normal(c)) => c.to_str().unwrap_or(""),
            _ => "",
        };
        if !self.results.owns(first)
            || first == self.results.marker()
            || !parts.all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(fail(format!(
                "is not one of the files `{}` writes",
                self.results.command
            )));
        }
        let _held = signals::hold();
        let path = self.dir.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)
                .map_err(|e| fail(format!("cannot create its folder: {e}")))?;
        }
        write_file_synced(&path, bytes).map_err(|e| fail(format!("cannot write: {e}")))?;
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), crate::scenario::hash_bytes(bytes));
        Ok(shown)
    }

    /// Write the marker, keep the other commands' files, and swap the
    /// staging folder into place. On error the previous folder is intact.
    pub fn commit(self) -> Result<(), RunError> {
        let fail = |path: PathBuf, message: String| RunError::Output { path, message };
        let marker = self.results.marker();
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|e| e.into_inner()));
        let mut text = String::from("{\n  \"written_by\": \"targetsim ");
        text.push_str(env!("CARGO_PKG_VERSION"));
        text.push_str("\",\n  \"command\": \"");
        text.push_str(self.results.command);
        text.push_str("\",\n  \"files\": {");
        for (i, (name, hash)) in files.iter().enumerate() {
            text.push_str(if i == 0 { "\n" } else { ",\n" });
            text.push_str(&format!(
                "    {}: \"{hash}\"",
                serde_json::Value::String(name.clone())
            ));
        }
        text.push_str(if files.is_empty() {
            "}\n}\n"
        } else {
            "\n  }\n}\n"
        });
        let _held = signals::hold();
        write_file_synced(&self.dir.join(&marker), text.as_bytes())
            .map_err(|e| fail(self.slot.shown.join(&marker), format!("cannot write: {e}")))?;
        if let Ok(entries) = std::fs::read_dir(&self.slot.target) {
            for e in entries {
                let e = e.map_err(|e| {
                    fail(
                        self.slot.shown.clone(),
                        format!("cannot list the output directory: {e}"),
                    )
                })?;
                let name = e.file_name();
                let keep = match name.to_str() {
                    Some(n) => matches!(classify(self.results, n), Entry::Keep | Entry::Foreign),
                    None => true,
                };
                if keep {
                    carry(&e.path(), &self.dir.join(&name)).map_err(|err| {
                        fail(
                            self.slot.shown.join(&name),
                            format!("cannot keep it in the new output folder: {err}"),
                        )
                    })?;
                }
            }
        }
        swap_in(&self.dir, &self.slot.target, &self.slot.hidden("old")).map_err(|e| {
            fail(
                self.slot.shown.clone(),
                format!("cannot move the new results into place: {e}"),
            )
        })?;
        if let Ok(d) = std::fs::File::open(&self.slot.parent) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for Staging {
    /// Committed or not, nothing is left beside the target: after a swap
    /// the staging name holds the previous folder.
    fn drop(&mut self) {
        {
            let _held = signals::hold();
            if remove_tree(&self.dir).is_err() {
                let _ = remove_any(&self.dir);
            }
        }
        signals::unregister(self.registration);
    }
}

/// Write one file (`fit --out FILE`) whole or not at all, refusing to
/// replace an input and a second concurrent writer. Returns `target`.
pub fn write_file(target: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<PathBuf, RunError> {
    let slot = Slot::open(target, inputs, false)?;
    let fail = |message: String| RunError::Output {
        path: target.to_path_buf(),
        message,
    };
    if slot.target.is_dir() {
        return Err(RunError::OutputDir {
            path: target.to_path_buf(),
            message: "is a directory; give a file name".into(),
        });
    }
    let tmp = slot.hidden("staging");
    let registration = signals::register(&tmp, slot.lock.path());
    let result = (|| {
        let _held = signals::hold();
        write_file_synced(&tmp, bytes).map_err(|e| fail(format!("cannot write: {e}")))?;
        std::fs::rename(&tmp, &slot.target)
            .map_err(|e| fail(format!("cannot move into place: {e}")))
    })();
    if result.is_err() {
        let _held = signals::hold();
        let _ = std::fs::remove_file(&tmp);
    }
    signals::unregister(registration);
    result.map(|()| target.to_path_buf())
}

/// Write a new file whole or not at all, never replacing one: the bytes go
/// to a hidden file beside `target`, which is then hard-linked to the
/// target's name, an operation that fails when the name exists (where a
/// rename would replace it), so a file made between our check and our
/// write is kept. `Ok(None)` when `target` exists.
pub fn write_new_file(target: &Path, bytes: &[u8]) -> Result<Option<PathBuf>, RunError> {
    let slot = Slot::open(target, &[], false)?;
    let fail = |message: String| RunError::Output {
        path: target.to_path_buf(),
        message,
    };
    if std::fs::symlink_metadata(&slot.target).is_ok() {
        return Ok(None);
    }
    let tmp = slot.hidden("staging");
    let registration = signals::register(&tmp, slot.lock.path());
    let result = (|| {
        let _held = signals::hold();
        write_file_synced(&tmp, bytes).map_err(|e| fail(format!("cannot write: {e}")))?;
        match std::fs::hard_link(&tmp, &slot.target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(fail(format!("cannot move into place: {e}"))),
        }
    })();
    {
        let _held = signals::hold();
        let _ = std::fs::remove_file(&tmp);
    }
    signals::unregister(registration);
    result.map(|made| made.then(|| target.to_path_buf()))
}

/// Create `path` (0644 less the umask), write and flush it to disk.
fn write_file_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// The absolute target, its parent created; symbolic links resolved so a
/// linked output folder is replaced where it really is.
fn resolve(shown: &Path) -> std::io::Result<PathBuf> {
    if let Ok(p) = shown.canonicalize() {
        return Ok(p);
    }
    let name = shown
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file or folder name"))?;
    let parent = match shown.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)?;
    Ok(parent.canonicalize()?.join(name))
}

/// Whether `input` is `target` or lies inside it (by path, or as the same
/// file through a hard link).
fn same_or_inside(input: &Path, target: &Path) -> bool {
    let Ok(input) = input.canonicalize() else {
        return false;
    };
    if input.starts_with(target) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(&input), std::fs::metadata(target)) {
            return a.is_file() && a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

fn foreign_entries(results: &Results, dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if matches!(classify(results, &name), Entry::Foreign) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// Whether the folder with metadata `m` lies on another file system than
/// `parent` (a rename could not move it).
fn is_mount_point(m: &std::fs::Metadata, parent: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(parent).is_ok_and(|p| p.dev() != m.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = (m, parent);
        false
    }
}

fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

fn remove_any(p: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Remove a folder and everything in it, its files unlinked on several
/// threads at once (else as [`remove_any`]). Where the file system drops a
/// file's blocks on the device as it is unlinked (ext4 mounted with
/// `discard`), each unlink of a file written to disk waits for the device,
/// some milliseconds: one after another, removing the previous run's
/// folder (about forty files) took a tenth of a second, a sixth of the
/// whole run. Threads overlap those waits. `std::fs::remove_dir_all`
/// removes one entry at a time.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    /// Enough threads to keep a device's queue busy; each costs little.
    const THREADS: usize = 8;
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {}
        _ => return remove_any(dir),
    }
    // Files first (every thread takes the next from a shared counter),
    // then the folders, deepest first.
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    let mut i = 0;
    while let Some(d) = dirs.get(i) {
        for e in std::fs::read_dir(d)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
        i += 1;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let unlink = || -> std::io::Result<()> {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(f) = files.get(i) else {
                return Ok(());
            };
            match std::fs::remove_file(f) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    };
    let threads = THREADS.min(files.len());
    std::thread::scope(|sc| {
        let others: Vec<_> = (1..threads).map(|_| sc.spawn(unlink)).collect();
        let mine = unlink();
        others
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .chain([mine])
            .collect::<std::io::Result<()>>()
    })?;
    for d in dirs.iter().rev() {
        std::fs::remove_dir(d)?;
    }
    Ok(())
}

/// Put `src` at `dst` without copying bytes where possible: a hard link per
/// file, folders recreated, symbolic links as links.
fn carry(src: &Path, dst: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(src)?;
    let kind = meta.file_type();
    if kind.is_dir() {
        std::fs::create_dir(dst)?;
        for e in std::fs::read_dir(src)? {
            let e = e?;
            carry(&e.path(), &dst.join(e.file_name()))?;
        }
        std::fs::set_permissions(dst, meta.permissions())
    } else if kind.is_symlink() {
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(std::fs::read_link(src)?, dst)
        }
        #[cfg(not(unix))]
        {
            std::fs::copy(src, dst).map(|_| ())
        }
    } else if kind.is_file() {
        std::fs::hard_link(src, dst).or_else(|_| std::fs::copy(src, dst).map(|_| ()))
    } else {
        Err(std::io::Error::other("neither a file nor a folder"))
    }
}

/// Replace `target` by `staging`. With an existing target, one atomic
/// exchange where the system has it; else rename the old folder away to
/// `old`, the new one into place, and remove the old one. A run killed
/// between those two renames is repaired by the next one
/// ([`Slot::remove_stale`] puts `old` back).
fn swap_in(staging: &Path, target: &Path, old: &Path) -> std::io::Result<()> {
    if !exists(target) {
        return std::fs::rename(staging, target);
    }
    #[cfg(target_os = "linux")]
    {
        match exchange(staging, target) {
            // `staging` now names the previous folder; the caller removes it.
            Ok(()) => return Ok(()),
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
                ) => {}
            Err(e) => return Err(e),
        }
    }
    let _ = remove_any(old);
    std::fs::rename(target, old)?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(old, target);
        return Err(e);
    }
    let _ = remove_any(old);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::other("a path holds a NUL byte"))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two valid NUL-terminated paths; renameat2 only reads them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_committed_folder_holds_exactly_the_new_files_and_the_other_commands_files() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("report.html"), "old").unwrap();
        std::fs::write(out.join("calibration.json"), "{}").unwrap();
        std::fs::write(out.join(".summary.json.a1B2c3"), "half").unwrap();
        let s = Staging::begin(&RUN, &out, &[]).unwrap();
        assert_eq!(
            s.write("summary.json", b"{}\n").unwrap(),
            out.join("summary.json")
        );
        s.write("charts/a.svg", b"<svg/>").unwrap();
        assert!(s.write("calibration.json", b"no").is_err());
        assert!(s.write("../x", b"no").is_err());
        s.commit().unwrap();
        assert_eq!(
            names(&out),
            [
                ".targetsim-run",
                "calibration.json",
                "charts",
                "summary.json"
            ]
        );
        assert_eq!(names(root.path()), ["out"], "nothing left beside it");
        let marker: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(".targetsim-run")).unwrap()).unwrap();
        assert_eq!(
            marker["files"]["summary.json"],
            crate::scenario::hash_bytes(b"{}\n")
        );
        assert!(marker["files"]["charts/a.svg"].is_string());
    }

    #[test]
    fn a_staging_dropped_without_commit_leaves_the_previous_folder() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("summary.json"), "old").unwrap();
        let s = Staging::begin(&RUN, &out, &[]).unwrap();
        s.write("summary.json", b"new").unwrap();
        drop(s);
        assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), b"old");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn a_folder_with_other_files_or_holding_an_input_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let e = Staging::begin(&RUN, &out, &[]).err().unwrap().to_string();
        assert!(e.contains("notes.txt"), "{e}");
        let input = out.join("notes.txt");
        let e = Staging::begin(&RUN, &out, &[&input])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("an input of this command"), "{e}");
        assert_eq!(names(&out), ["notes.txt"]);
    }

    #[test]
    fn a_second_writer_of_the_same_folder_is_refused_while_the_first_holds_it() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = Staging::begin(&RUN, &out, &[]).unwrap();
        let e = Staging::begin(&CALIBRATE, &out, &[])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("another targetsim command"), "{e}");
        first.commit().unwrap();
        Staging::begin(&CALIBRATE, &out, &[])
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(names(root.path()), ["out"], "the lock file is removed");
    }

    #[test]
    fn a_single_file_is_written_whole_and_never_over_an_input() {
        let root = tempfile::tempdir().unwrap();
        let f = root.path().join("d.toml");
        write_file(&f, b"a = 1\n", &[]).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"a = 1\n");
        let e = write_file(&f, b"b = 2\n", &[&f]).unwrap_err().to_string();
        assert!(e.contains("an input of this command"), "{e}");
        assert_eq!(names(root.path()), ["d.toml"]);
    }
}
