//! Where results go. Every file is written whole or not at all: bytes go to
//! a temporary file in the same directory, which is then renamed over the
//! target, so a reader never sees half a file and a failed run leaves the
//! previous result intact.

use crate::error::RunError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Create the directory (and parents) and make sure files can be written in
/// it, before any long computation starts.
pub fn prepare_dir(dir: &Path) -> Result<(), RunError> {
    let fail = |message: String| RunError::OutputDir {
        path: dir.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(format!("cannot create the output directory: {e}")))?;
    tempfile::Builder::new()
        .prefix(".targetsim-check")
        .tempfile_in(dir)
        .map_err(|e| fail(format!("cannot write in the output directory: {e}")))?;
    Ok(())
}

/// Write `bytes` to `dir/name` atomically; returns the path written.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, RunError> {
    let path = dir.join(name);
    let fail = |message: String| RunError::Output {
        path: path.clone(),
        message,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(|e| fail(format!("cannot create a temporary file: {e}")))?;
    tmp.write_all(bytes)
        .map_err(|e| fail(format!("cannot write: {e}")))?;
    // A temporary file is private (0600); a result is an ordinary file that
    // colleagues sharing the folder can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| fail(format!("cannot set permissions: {e}")))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| fail(format!("cannot flush to disk: {e}")))?;
    tmp.persist(&path)
        .map_err(|e| fail(format!("cannot move into place: {}", e.error)))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_is_complete_and_no_temporary_file_remains() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_atomic(dir.path(), "a.json", b"{}\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"{}\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644, "results are readable by others, like any file");
        }
    }
}
