//! Reading a file a planner names, safely: only a regular file (a FIFO
//! would block the open forever, a device or `/dev/zero` would never end, a
//! directory is a mistake), checked by its metadata before it is opened, and
//! never more than a size limit, checked while reading so a file that grows
//! or lies about its size is still caught. And the guard that keeps a
//! command from writing its results over one of its own inputs.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Missing, unreadable, or not a regular file (the message says which).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Larger than the limit; `size` is at least `limit + 1`.
    #[error("the file is {size} bytes; at most {limit} are read")]
    TooLarge { size: u64, limit: u64 },
}

/// What the path names, for a message, unless it is a regular file.
pub fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("it is a directory, not a file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some(
                "it is a named pipe (FIFO), not a regular file; save the data to a file first",
            );
        }
        if t.is_socket() {
            return Some("it is a socket, not a regular file");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("it is a device, not a regular file");
        }
    }
    Some("it is not a regular file")
}

/// Refuse anything but a regular file, by its metadata (following
/// symbolic links), without opening it.
pub fn check_regular(path: &Path) -> std::io::Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path)?;
    match not_regular(&meta) {
        None => Ok(meta),
        Some(what) => Err(std::io::Error::other(what)),
    }
}

/// The bytes of a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = check_regular(path)?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = std::fs::File::open(path)?;
    // The path may have been replaced between the check and the open.
    if let Some(what) = not_regular(&file.metadata()?) {
        return Err(std::io::Error::other(what).into());
    }
    let mut bytes = Vec::new();
    // One byte past the limit, so a file that grew is caught.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Whether two paths name the same existing file (the same inode on Unix;
/// the same canonical path elsewhere). A path that does not exist is no
/// file at all.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        x.dev() == y.dev() && x.ino() == y.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (x, y);
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(p), Ok(q)) => p == q,
            _ => false,
        }
    }
}

/// A command was about to write its results over one of its inputs.
#[derive(Debug, thiserror::Error)]
#[error(
    "{output}: this is the input file {input}; writing there would overwrite it\n  hint: choose another output (--out) so that the input stays as it is"
)]
pub struct WouldOverwrite {
    pub output: PathBuf,
    pub input: PathBuf,
}

/// Refuse when any of `outputs` is the same file as any of `inputs`.
/// Call it before the first file is written.
pub fn refuse_overwrite<O, I>(outputs: O, inputs: I) -> Result<(), WouldOverwrite>
where
    O: IntoIterator,
    O::Item: AsRef<Path>,
    I: IntoIterator,
    I::Item: AsRef<Path>,
    I::IntoIter: Clone,
{
    let inputs = inputs.into_iter();
    for out in outputs {
        let out = out.as_ref();
        if let Some(input) = inputs.clone().find(|i| same_file(out, i.as_ref())) {
            return Err(WouldOverwrite {
                output: out.to_path_buf(),
                input: input.as_ref().to_path_buf(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(dir.path(), 100).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_without_reading() {
        let e = read(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(e.to_string().contains("device"), "{e}");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_the_limit_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read(&p, 5).unwrap(), b"12345");
        assert!(matches!(
            read(&p, 4),
            Err(ReadError::TooLarge { size: 5, limit: 4 })
        ));
    }

    #[test]
    fn the_same_file_is_found_under_another_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.csv");
        std::fs::write(&p, b"year\n").unwrap();
        let other = dir.path().join(".").join("h.csv");
        assert!(same_file(&p, &other));
        assert!(!same_file(&p, &dir.path().join("new.toml")));
        let e = refuse_overwrite([&other], [&p]).unwrap_err();
        assert!(e.to_string().contains("overwrite"), "{e}");
        assert!(refuse_overwrite([dir.path().join("x")], [&p]).is_ok());
    }
}
