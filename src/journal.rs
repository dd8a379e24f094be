//! The reprocess journal: a write-ahead log of reprocess calls, so a rerun neither sends again
//! what Graph already accepted nor reports a call that landed as failed.
//!
//! Graph keeps retrying an accepted request on its own for several hours; sending it again in
//! that time achieves nothing, and after a dropped connection the journal is how ep knows.
//!
//! Before a call leaves, its intent (`sending`) is appended and fsync'd; its outcome follows when
//! it is known. A process killed at any instant (SIGKILL, the OOM killer, a closed laptop) thus
//! leaves either no intent, meaning the call never left, or an intent without an outcome: an
//! uncertain attempt, which the next run treats exactly like a call whose answer was lost.

use crate::private_file::{self, open_checked, options};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
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
    /// Which action the call was: absent (as in every journal before `resume`) is reprocess.
    #[serde(default, skip_serializing_if = "Action::is_reprocess")]
    pub action: Action,
}

/// The Graph action a journaled call was. Each action's history is its own: a resume says
/// nothing about whether a reprocess was accepted, nor the other way round.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Reprocess,
    Resume,
    /// Written by a newer ep: belongs to no history this one keeps.
    #[serde(other)]
    Other,
}

impl Action {
    fn is_reprocess(&self) -> bool {
        *self == Action::Reprocess
    }
}

/// What happened to one reprocess call, as the journal records it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Written, and on disk, before the call leaves: on its own, an attempt of unknown outcome.
    Sending,
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

/// What the journal says about one Graph origin since some time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    /// Accepted reprocess calls per request id (lowercase), newest time kept.
    pub accepted: HashMap<String, DateTime<Utc>>,
    /// Requests whose last journaled call has no known outcome: killed or interrupted after the
    /// call may have left. Not accepted ones: those are known.
    pub uncertain: HashSet<String>,
}

/// The journal's reprocess [`History`] for `graph` since `since`.
pub fn history(path: &Path, graph: &str, since: DateTime<Utc>) -> std::io::Result<History> {
    history_of(path, graph, since, Action::Reprocess)
}

/// The journal's [`History`] of one action for `graph` since `since`; `accepted` holds the
/// calls Graph accepted (journaled as `reprocessed`, whichever the action).
pub fn history_of(
    path: &Path,
    graph: &str,
    since: DateTime<Utc>,
    action: Action,
) -> std::io::Result<History> {
    let mut h = History::default();
    // The file is in the order things happened: the last word on each request wins.
    let mut last: HashMap<String, Outcome> = HashMap::new();
    for entry in read(path)? {
        if entry.graph != graph || entry.at < since || entry.action != action {
            continue;
        }
        // GUIDs in any case are one request: an id typed in capitals on one run and listed in
        // lowercase on the next must meet its own history.
        let id = entry.id.to_ascii_lowercase();
        if entry.outcome == Outcome::Reprocessed {
            let slot = h.accepted.entry(id.clone()).or_insert(entry.at);
            if *slot < entry.at {
                *slot = entry.at;
            }
        }
        if entry.outcome != Outcome::Other {
            last.insert(id, entry.outcome);
        }
    }
    h.uncertain = last
        .into_iter()
        .filter(|(id, o)| {
            matches!(o, Outcome::Sending | Outcome::Interrupted) && !h.accepted.contains_key(id)
        })
        .map(|(id, _)| id)
        .collect();
    Ok(h)
}

fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    let file = match open_checked(path, options().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // A torn line (killed mid-write) or a foreign line is skipped, not fatal. Lines are read as
    // bytes: a write torn inside a multi-byte character must not end the reading there.
    Ok(BufReader::new(file)
        .split(b'\n')
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_slice(&l).ok())
        .collect())
}

/// One message to the writer thread.
enum Message {
    Outcome(Entry),
    /// Intents, and who waits for them to be on disk.
    Intent(Vec<Entry>, tokio::sync::oneshot::Sender<Result<(), String>>),
}

/// Appends entries from a background thread. Everything waiting when the thread wakes is
/// written and fsync'd together (group commit), so a thousand calls cost a handful of fsyncs,
/// and an intent is acknowledged only once it is on disk.
pub struct JournalWriter {
    action: Action,
    tx: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
    path: PathBuf,
}

impl JournalWriter {
    pub fn open(path: &Path) -> std::io::Result<JournalWriter> {
        JournalWriter::open_for(path, Action::Reprocess)
    }

    /// A writer whose entries record `action`.
    pub fn open_for(path: &Path, action: Action) -> std::io::Result<JournalWriter> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        compact(path)?;
        let file = open_checked(path, options().create(true).append(true))?;
        let (tx, rx) = mpsc::channel::<Message>();
        let thread = std::thread::spawn(move || write_loop(file, rx));
        Ok(JournalWriter {
            action,
            tx: Some(tx),
            thread: Some(thread),
            path: path.to_path_buf(),
        })
    }

    /// Record an outcome; on disk by the next group commit (or [`JournalWriter::close`]).
    pub fn record(&self, graph: &str, id: &str, outcome: Outcome) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Message::Outcome(entry(graph, id, outcome, self.action)));
        }
    }

    /// Record that calls for `ids` are about to leave, and return once that is on disk.
    pub async fn intend(&self, graph: &str, ids: &[&str]) -> std::io::Result<()> {
        let (done, written) = tokio::sync::oneshot::channel();
        let entries = ids
            .iter()
            .map(|id| entry(graph, id, Outcome::Sending, self.action))
            .collect();
        let stopped = || std::io::Error::other("the journal writer stopped");
        self.tx
            .as_ref()
            .ok_or_else(stopped)?
            .send(Message::Intent(entries, done))
            .map_err(|_| stopped())?;
        written
            .await
            .map_err(|_| stopped())?
            .map_err(std::io::Error::other)
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

fn entry(graph: &str, id: &str, outcome: Outcome, action: Action) -> Entry {
    Entry {
        at: Utc::now(),
        graph: graph.to_string(),
        id: id.to_string(),
        outcome,
        action,
    }
}

fn write_loop(mut file: fs::File, rx: mpsc::Receiver<Message>) -> std::io::Result<()> {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        group.extend(rx.try_iter());
        let mut buf = Vec::new();
        let mut waiting = Vec::new();
        for message in group {
            let entries = match message {
                Message::Outcome(e) => vec![e],
                Message::Intent(entries, done) => {
                    waiting.push(done);
                    entries
                }
            };
            for e in &entries {
                serde_json::to_writer(&mut buf, e)?;
                buf.push(b'\n');
            }
        }
        let written = file.write_all(&buf).and_then(|()| file.sync_data());
        let answer = written.as_ref().map_err(ToString::to_string).copied();
        for done in waiting {
            let _ = done.send(answer.clone());
        }
        written?;
    }
    Ok(())
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
        let found = history(&path, "https://graph.microsoft.com", since)
            .unwrap()
            .accepted;
        assert_eq!(found.keys().collect::<Vec<_>>(), vec!["a"]);
        let later = history(
            &path,
            "https://graph.microsoft.com",
            Utc::now() + Duration::seconds(5),
        )
        .unwrap()
        .accepted;
        assert!(later.is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[tokio::test]
    async fn an_intent_without_an_outcome_is_uncertain_until_one_follows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.ndjson");
        let w = JournalWriter::open(&path).unwrap();
        w.intend("g", &["a", "b", "c", "d"]).await.unwrap();
        // On disk before the call leaves: readable while the writer is still open.
        let before = history(&path, "g", Utc::now() - Duration::hours(1)).unwrap();
        assert_eq!(before.uncertain.len(), 4);
        w.record("g", "a", Outcome::Reprocessed);
        w.record("g", "b", Outcome::Failed);
        w.record("g", "c", Outcome::Interrupted);
        w.close().unwrap();
        let h = history(&path, "g", Utc::now() - Duration::hours(1)).unwrap();
        assert_eq!(h.accepted.keys().collect::<Vec<_>>(), vec!["a"]);
        let mut uncertain: Vec<_> = h.uncertain.iter().cloned().collect();
        uncertain.sort();
        assert_eq!(uncertain, vec!["c", "d"]);
        assert!(
            history(&path, "other", Utc::now() - Duration::hours(1)).unwrap() == History::default()
        );
    }

    #[tokio::test]
    async fn an_id_is_one_request_whatever_its_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.ndjson");
        let w = JournalWriter::open(&path).unwrap();
        w.intend("g", &["9BBE5F7D-F1E7-4EB1-A586-38CDF6F8B1EA"])
            .await
            .unwrap();
        w.record(
            "g",
            "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
            Outcome::Reprocessed,
        );
        w.close().unwrap();
        let h = history(&path, "g", Utc::now() - Duration::hours(1)).unwrap();
        assert!(h.uncertain.is_empty(), "{h:?}");
        assert!(
            h.accepted
                .contains_key("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea")
        );
    }

    #[tokio::test]
    async fn a_journal_cut_at_any_byte_stays_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.ndjson");
        let w = JournalWriter::open(&path).unwrap();
        w.intend("g", &["ä-1", "b"]).await.unwrap();
        w.record("g", "ä-1", Outcome::Reprocessed);
        w.close().unwrap();
        let whole = fs::read(&path).unwrap();
        let cut = dir.path().join("cut.ndjson");
        for len in 0..=whole.len() {
            fs::write(&cut, &whole[..len]).unwrap();
            let h = history(&cut, "g", Utc::now() - Duration::hours(1)).unwrap();
            // Whatever survived is a prefix of what happened: never an acceptance unwritten.
            assert!(
                h.accepted.len() <= 1 && h.uncertain.len() <= 2,
                "{len}: {h:?}"
            );
            if len == whole.len() {
                assert!(h.accepted.contains_key("ä-1") && h.uncertain.contains("b"));
            }
        }
    }

    #[test]
    fn each_action_keeps_its_own_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.ndjson");
        let resumes = JournalWriter::open_for(&path, Action::Resume).unwrap();
        resumes.record("g", "a", Outcome::Reprocessed);
        resumes.close().unwrap();
        let w = JournalWriter::open(&path).unwrap();
        w.record("g", "b", Outcome::Reprocessed);
        w.close().unwrap();
        let since = Utc::now() - Duration::hours(1);
        let reprocessed = history(&path, "g", since).unwrap().accepted;
        let resumed = history_of(&path, "g", since, Action::Resume)
            .unwrap()
            .accepted;
        assert_eq!(reprocessed.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(resumed.keys().collect::<Vec<_>>(), ["a"]);
        // A reprocess entry carries no action field: journals stay as older ep wrote them.
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.lines().any(|l| l.contains("\"resume\"")));
        assert_eq!(text.matches("\"action\"").count(), 1, "{text}");
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
            action: Action::Reprocess,
        })
        .unwrap();
        fs::write(&path, format!("{good}\n{{\"at\":\"20")).unwrap();
        let found = history(&path, "g", Utc::now() - Duration::hours(1))
            .unwrap()
            .accepted;
        assert!(found.contains_key("x"));
    }

    #[cfg_attr(not(unix), allow(dead_code))] // its tests check file modes: Unix-only
    fn old_entries(path: &Path, n: usize) {
        let at = Utc::now() - Duration::days(KEEP + 1);
        let mut text = String::new();
        for i in 0..n {
            let e = Entry {
                at,
                graph: "g".into(),
                id: format!("old-{i}"),
                outcome: Outcome::Reprocessed,
                action: Action::Reprocess,
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
        let err = history(&path, "g", Utc::now()).unwrap_err();
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
        let found = history(&dir.path().join("none"), "g", Utc::now())
            .unwrap()
            .accepted;
        assert!(found.is_empty());
    }
}
