//! Files ep keeps for the user alone — the reprocess journal, the demo session — in the user's
//! state directory: created owner-only (0600) from their first byte, never reached through a
//! symbolic link, and replaced whole through a new file created exclusively beside them.
//!
//! Following a link would let whoever placed it choose which file ep appends to, replaces or
//! reads; a FIFO or a device would block or swallow what ep writes.

use std::fs::{self, File, OpenOptions};
use std::io::{Error, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// `$XDG_STATE_HOME/ep` or `~/.local/state/ep`; on Windows `%LOCALAPPDATA%\ep` whatever `HOME`
/// says: Git Bash sets `HOME` and PowerShell does not, and both must share one journal (and its
/// skips of recently reprocessed requests).
pub fn state_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    #[cfg(windows)]
    let dir = non_empty("LOCALAPPDATA")?;
    #[cfg(not(windows))]
    let dir = non_empty("XDG_STATE_HOME")
        .or_else(|| non_empty("HOME").map(|h| h.join(".local").join("state")))?;
    Some(dir.join("ep"))
}

/// What to set when [`state_dir`] has none, in the platform's terms.
#[cfg(windows)]
pub const NO_STATE_DIR: &str = "set LOCALAPPDATA to keep it";
#[cfg(not(windows))]
pub const NO_STATE_DIR: &str = "set XDG_STATE_HOME or HOME to keep it";

/// Refuses a path that is a symbolic link or not a regular file; a missing one is fine.
fn refuse_unusual(path: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::new(
            ErrorKind::InvalidInput,
            "it is a symbolic link; it must be a regular file (give its real path)",
        )),
        Ok(meta) if !meta.is_file() => Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file",
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Open options that refuse a symbolic link at the last component even if one appears after
/// [`refuse_unusual`] looked, and create files owner-only.
pub fn options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options
}

/// Open with `options` (made by [`options`]), then check what was opened really is a regular
/// file.
pub fn open_checked(path: &Path, options: &OpenOptions) -> std::io::Result<File> {
    refuse_unusual(path)?;
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    Ok(file)
}

/// The whole file, or `None` when there is none; more than `limit` bytes is an error rather than
/// a read that never ends.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = match open_checked(path, options().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("it is larger than {limit} bytes"),
        ));
    }
    Ok(Some(bytes))
}

/// Replace the file with `bytes`: they go to a new file in the same directory, created
/// exclusively (`O_EXCL`: an existing file or symbolic link at that name is an error, never
/// followed) and owner-only, synced, then renamed over `path`. A crash leaves the old file or the
/// new one, and nobody else can read either or redirect the write. (A link at `path` itself is
/// replaced, not followed: rename acts on the name.)
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    refuse_unusual(path)?;
    let tmp = temp_path(path);
    let written = options()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// `.NAME.<pid>.<nanos>.tmp` beside the file: unpredictable enough that nobody can place
/// something there in advance, and `create_new` refuses it if they did.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ep".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{nanos}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_writes_an_owner_only_file_and_read_bounded_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("state.json");
        assert_eq!(read_bounded(&path, 100).unwrap(), None);
        replace(&path, b"first").unwrap();
        replace(&path, b"second").unwrap();
        assert_eq!(read_bounded(&path, 100).unwrap().unwrap(), b"second");
        let err = read_bounded(&path, 3).unwrap_err();
        assert!(err.to_string().contains("larger than 3 bytes"), "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_neither_read_nor_written_through() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        fs::write(&target, "precious").unwrap();
        let path = dir.path().join("state.json");
        symlink(&target, &path).unwrap();
        let err = read_bounded(&path, 100).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let err = replace(&path, b"evil").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "precious");
    }

    #[test]
    fn a_directory_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_bounded(dir.path(), 100).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
