//! The reprocess journal: every outcome appended and fsync'd, so a rerun within Graph's own
//! retry period does not send a request again that Graph already accepted.
//!
//! Graph keeps retrying an accepted request on its own for several hours; sending it again in
//! that time achieves nothing, and after a dropped connection the journal is how ep knows.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
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
    /// `reprocessed`, `failed`, or `unknown` (interrupted in flight).
    pub outcome: String,
}

/// `$XDG_STATE_HOME/ep/journal.ndjson`, `~/.local/state/ep/…`, or `%LOCALAPPDATA%\ep\…`.
pub fn default_path() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = non_empty("XDG_STATE_HOME")
        .or_else(|| non_empty("HOME").map(|h| h.join(".local").join("state")))
        .or_else(|| non_empty("LOCALAPPDATA"))?;
    Some(dir.join("ep").join("journal.ndjson"))
}

/// Accepted reprocess calls per request id, newest time kept, for one Graph origin.
pub fn accepted_since(
    path: &Path,
    graph: &str,
    since: DateTime<Utc>,
) -> std::io::Result<HashMap<String, DateTime<Utc>>> {
    let mut accepted = HashMap::new();
    for entry in read(path)? {
        if entry.graph == graph && entry.outcome == "reprocessed" && entry.at >= since {
            let slot = accepted.entry(entry.id).or_insert(entry.at);
            if *slot < entry.at {
                *slot = entry.at;
            }
        }
    }
    Ok(accepted)
}

fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    let file = match File::open(path) {
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
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Request ids and tenants are not secrets, but nobody else needs them.
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
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

    pub fn record(&self, graph: &str, id: &str, outcome: &str) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Entry {
                at: Utc::now(),
                graph: graph.to_string(),
                id: id.to_string(),
                outcome: outcome.to_string(),
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
fn compact(path: &Path) -> std::io::Result<()> {
    let entries = read(path)?;
    let cutoff = Utc::now() - Duration::days(KEEP);
    let keep: Vec<&Entry> = entries.iter().filter(|e| e.at >= cutoff).collect();
    if entries.len() < 1000 || keep.len() * 2 > entries.len() {
        return Ok(());
    }
    let tmp = path.with_extension("ndjson.tmp");
    let mut buf = Vec::new();
    for entry in keep {
        serde_json::to_writer(&mut buf, entry)?;
        buf.push(b'\n');
    }
    fs::write(&tmp, buf)?;
    fs::rename(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_and_are_found_by_origin_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("journal.ndjson");
        let w = JournalWriter::open(&path).unwrap();
        w.record("https://graph.microsoft.com", "a", "reprocessed");
        w.record("https://graph.microsoft.com", "b", "failed");
        w.record("http://127.0.0.1:1", "c", "reprocessed");
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
            outcome: "reprocessed".into(),
        })
        .unwrap();
        fs::write(&path, format!("{good}\n{{\"at\":\"20")).unwrap();
        let found = accepted_since(&path, "g", Utc::now() - Duration::hours(1)).unwrap();
        assert!(found.contains_key("x"));
    }

    #[test]
    fn missing_journal_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let found = accepted_since(&dir.path().join("none"), "g", Utc::now()).unwrap();
        assert!(found.is_empty());
    }
}
