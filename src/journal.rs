//! The reprocess journal: every outcome appended and fsync'd, so a rerun within Graph's own
//! retry period does not send a request again that Graph already accepted.
//!
//! Graph keeps retrying an accepted request on its own for several hours; sending it again in
//! that time achieves nothing, and after a dropped connection the journal is how ep knows.

use crate::private_file::{self, open_checked, options};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Entries older than this are dropped when the journal is compacted.
const KEEP: i64 = 7;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    /// The Graph origin, so one journal serves several clouds or emulators.
    pub graph: String,
    pub id: String,
    pub outcome: Outcome,
}

/// What happened to one reprocess call, as the journal records it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Reprocessed,
    Failed,
    /// Interrupted while the call was in flight: it may or may not have landed.
    #[serde(rename = "unknown")]
    Interrupted,
    /// Written by a newer ep: kept readable, never taken for an acceptance.
    #[serde(other)]
    Other,
}

/// `$XDG_STATE_HOME/ep/journal.ndjson`, `~/.local/state/ep/…`, or `%LOCALAPPDATA%\ep\…`.
pub fn default_path() -> Option<PathBuf> {
    Some(private_file::state_dir()?.join("journal.ndjson"))
}

/// Accepted reprocess calls per request id, newest time kept, for one Graph origin.
pub fn accepted_since(
    path: &Path,
    graph: &str,
    since: DateTime<Utc>,
) -> std::io::Result<HashMap<String, DateTime<Utc>>> {
    let mut accepted = HashMap::new();
    for entry in read(path)? {
        if entry.graph == graph && entry.outcome == Outcome::Reprocessed && entry.at >= since {
            let slot = accepted.entry(entry.id).or_insert(entry.at);
            if *slot < entry.at {
                *slot = entry.at;
            }
        }
    }
    Ok(accepted)
}

fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    let file = match open_checked(path, options().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // A torn last line (crash mid-write) or a foreign line is skipped, not fatal.
    Ok(BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect())
}

/// Appends entries from a background thread; each drained group is fsync'd together, so
/// recording never waits on the disk and a thousand outcomes cost a handful of fsyncs.
pub struct JournalWriter {
    tx: Option<mpsc::Sender<Entry>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
    path: PathBuf,
}

impl JournalWriter {
    pub fn open(path: &Path) -> std::io::Result<JournalWriter> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        compact(path)?;
        let mut file = open_checked(path, options().create(true).append(true))?;
        let (tx, rx) = mpsc::channel::<Entry>();
        let thread = std::thread::spawn(move || -> std::io::Result<()> {
            while let Ok(first) = rx.recv() {
                let mut group = vec![first];
                group.extend(rx.try_iter());
                let mut buf = Vec::new();
                for entry in &group {
                    serde_json::to_writer(&mut buf, entry)?;
                    buf.push(b'\n');
                }
                file.write_all(&buf)?;
                file.sync_data()?;
            }
            Ok(())
        });
        Ok(JournalWriter {
            tx: Some(tx),
            thread: Some(thread),
            path: path.to_path_buf(),
        })
    }

    pub fn record(&self, graph: &str, id: &str, outcome: Outcome) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Entry {
                at: Utc::now(),
                graph: graph.to_string(),
                id: id.to_string(),
                outcome,
            });
        }
    }

    /// Wait until everything recorded is on disk.
    pub fn close(mut self) -> std::io::Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        drop(self.tx.take());
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other(format!(
                "the journal writer for {} stopped",
                self.path.display()
            ))),
            None => Ok(()),
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Drop entries older than a week once they are most of the file.
///
/// The kept entries replace the journal through [`private_file::replace`]: a crash leaves the old
/// journal or the new one, and nobody else can read either or redirect the write.
fn compact(path: &Path) -> std::io::Result<()> {
    let entries = read(path)?;
    let cutoff = Utc::now() - Duration::days(KEEP);
    let keep: Vec<&Entry> = entries.iter().filter(|e| e.at >= cutoff).collect();
    if entries.len() < 1000 || keep.len() * 2 > entries.len() {
        return Ok(());
    }
    let mut buf = Vec::new();
    for entry in keep {
        serde_json::to_writer(&mut buf, entry)?;
        buf.push(b'\n');
    }
    private_file::replace(path, &buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_and_are_found_by_origin_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("journal.ndjson");
        let w = JournalWriter::open(&path).unwrap();
        w.record("https://graph.microsoft.com", "a", Outcome::Reprocessed);
        w.record("https://graph.microsoft.com", "b", Outcome::Failed);
        w.record("http://127.0.0.1:1", "c", Outcome::Reprocessed);
        w.close().unwrap();
        let since = Utc::now() - Duration::hours(4);
        let found = accepted_since(&path, "https://graph.microsoft.com", since).unwrap();
        assert_eq!(found.keys().collect::<Vec<_>>(), vec!["a"]);
        let later = accepted_since(
            &path,
            "https://graph.microsoft.com",
            Utc::now() + Duration::seconds(5),
        )
        .unwrap();
        assert!(later.is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.ndjson");
        let good = serde_json::to_string(&Entry {
            at: Utc::now(),
            graph: "g".into(),
            id: "x".into(),
            outcome: Outcome::Reprocessed,
        })
        .unwrap();
        fs::write(&path, format!("{good}\n{{\"at\":\"20")).unwrap();
        let found = accepted_since(&path, "g", Utc::now() - Duration::hours(1)).unwrap();
        assert!(found.contains_key("x"));
    }

    fn old_entries(path: &Path, n: usize) {
        let at = Utc::now() - Duration::days(KEEP + 1);
        let mut text = String::new();
        for i in 0..n {
            let e = Entry {
                at,
                graph: "g".into(),
                id: format!("old-{i}"),
                outcome: Outcome::Reprocessed,
            };
            text.push_str(&serde_json::to_string(&e).unwrap());
            text.push('\n');
        }
        fs::write(path, text).unwrap();
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn compaction_writes_an_owner_only_file_and_follows_no_link() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.ndjson");
        old_entries(&path, 1200);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        // Where the old fixed temporary name pointed: a link there must not be written through.
        let victim = dir.path().join("victim");
        fs::write(&victim, "untouched").unwrap();
        symlink(&victim, dir.path().join("journal.ndjson.tmp")).unwrap();

        let w = JournalWriter::open(&path).unwrap();
        w.record("g", "new", Outcome::Reprocessed);
        w.close().unwrap();

        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1, "old entries dropped: {text}");
        assert_eq!(mode(&path), 0o600);
        assert!(
            !fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp") && n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_that_is_a_symlink_is_refused_and_its_target_untouched() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        fs::write(&target, "precious\n").unwrap();
        let path = dir.path().join("journal.ndjson");
        symlink(&target, &path).unwrap();
        let err = JournalWriter::open(&path).err().expect("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let err = accepted_since(&path, "g", Utc::now()).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "precious\n");
        // A dangling link is refused too, rather than creating its target.
        let dangling = dir.path().join("dangling.ndjson");
        symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(JournalWriter::open(&dangling).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_journal_that_is_not_a_regular_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = JournalWriter::open(dir.path()).err().expect("refused");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn missing_journal_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let found = accepted_since(&dir.path().join("none"), "g", Utc::now()).unwrap();
        assert!(found.is_empty());
    }
}
