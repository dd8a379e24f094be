//! How a listing continues from one page to the next.
//!
//! Graph documents `$skiptoken` as opaque and promises nothing about what a client sees when
//! the collection changes while it pages: whether a row that leaves the result before the
//! cursor makes a later one be skipped, whether a new row makes one come twice. Each
//! [`PagingModel`] is a design a real service could have, from the least forgiving to the most,
//! so a client can be tested against all of them rather than against the kindest.

use std::collections::VecDeque;

use serde_json::{Map, Value, json};

use super::Shared;
use super::model::Churn;
use super::odata::{
    Cursor, GraphError, QueryOptions, Reply, decode_skiptoken, encode_skiptoken, invalid_skiptoken,
    next_link, query_fingerprint,
};

/// What a continuation token stands for, and so what a client sees when rows change state or
/// appear between its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PagingModel {
    /// The token counts the rows served (SQL OFFSET): a row leaving the result before the
    /// cursor makes a later row be skipped; a row entering it makes one come twice.
    #[default]
    Offset,
    /// The first page stores which rows matched; later pages serve those rows as they are now,
    /// skipping none and adding none.
    Snapshot,
    /// The token is a position in the stable order (keyset paging): nothing is skipped or
    /// repeated, and rows that change or appear behind the cursor are not seen.
    Key,
}

impl PagingModel {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PagingModel::Offset => "offset",
            PagingModel::Snapshot => "snapshot",
            PagingModel::Key => "key",
        }
    }
}

/// Snapshots kept at once. The oldest is forgotten first; a continuation of a forgotten one is
/// answered like an expired token, as a service that keeps result sets for a while would.
pub(crate) const MAX_SNAPSHOTS: usize = 64;

/// The rows one query matched when its first page was served.
#[derive(Debug)]
struct Snapshot {
    id: u64,
    fingerprint: u64,
    /// Positions in the stable order, as of `inserts` inserts into the collection.
    rows: Vec<u32>,
    inserts: usize,
}

/// The snapshots of [`PagingModel::Snapshot`], oldest first.
#[derive(Debug, Default)]
pub(crate) struct Snapshots {
    issued: u64,
    kept: VecDeque<Snapshot>,
}

impl Snapshots {
    fn keep(&mut self, fingerprint: u64, rows: Vec<u32>, inserts: usize) -> u64 {
        self.issued += 1;
        if self.kept.len() >= MAX_SNAPSHOTS {
            self.kept.pop_front();
        }
        self.kept.push_back(Snapshot {
            id: self.issued,
            fingerprint,
            rows,
            inserts,
        });
        self.issued
    }

    /// Up to `n` rows of snapshot `id` from `from` on, as positions in today's stable order, and
    /// whether more follow; `None` if the snapshot is not kept (or not this query's).
    fn window(
        &mut self,
        id: u64,
        fingerprint: u64,
        churn: Churn<'_>,
        from: usize,
        n: usize,
    ) -> Option<(Vec<usize>, bool)> {
        let snap = self
            .kept
            .iter_mut()
            .find(|s| s.id == id && s.fingerprint == fingerprint)?;
        // Rows inserted since moved the snapshot's rows up; catch up once, in place.
        for &at in churn.inserts.get(snap.inserts..)? {
            for row in &mut snap.rows {
                if *row as usize >= at {
                    *row += 1;
                }
            }
        }
        snap.inserts = churn.inserts.len();
        let rest = snap.rows.get(from..).unwrap_or_default();
        let take = rest.len().min(n);
        let rows = rest[..take].iter().map(|&r| r as usize).collect();
        Some((rows, rest.len() > take))
    }
}

/// Serves one page of `rows` (in stable server order) that `matches` selects, continuing from
/// the query's `$skiptoken` as the configured [`PagingModel`] does, with a nextLink when more
/// follow. `churn` says how `rows` changed since a token was issued ([`Churn::NONE`] for lists
/// that never change). Every collection pages through here, so all follow the same model.
#[allow(clippy::too_many_arguments)]
pub(crate) fn page<T>(
    shared: &Shared,
    q: &QueryOptions,
    collection_path: &str,
    context: &str,
    rows: &[T],
    churn: Churn<'_>,
    matches: impl Fn(&T) -> bool,
    render: impl Fn(&T) -> Map<String, Value>,
) -> Result<Reply, GraphError> {
    let fingerprint = query_fingerprint(collection_path, q);
    let cursor = q
        .skiptoken
        .as_deref()
        .map(|t| decode_skiptoken(t, fingerprint, shared.skiptoken_key))
        .transpose()?;
    let limit = shared
        .config
        .page_size
        .max(1)
        .min(q.top.unwrap_or(usize::MAX));
    let (served, next) = if limit == 0 {
        // `$top=0` asks for nothing; a nextLink would send a link-following client round forever.
        (Vec::new(), None)
    } else {
        match (shared.config.paging, cursor) {
            (PagingModel::Key, None) => key_page(rows, churn, 0, limit, &matches),
            (PagingModel::Key, Some(Cursor::Key { index, inserts })) => {
                let later = churn
                    .inserts
                    .get(inserts as usize..)
                    .ok_or_else(invalid_skiptoken)?;
                // A row inserted before the position moved everything after it up one; a row
                // inserted right at it comes after the last row served, and is seen.
                let start = later
                    .iter()
                    .fold(index as usize, |at, &p| if p < at { at + 1 } else { at });
                key_page(rows, churn, start, limit, &matches)
            }
            (PagingModel::Offset, None) => offset_page(rows, churn, 0, 0, 0, limit, &matches),
            (
                PagingModel::Offset,
                Some(Cursor::Offset {
                    served,
                    resume,
                    generation,
                }),
            ) => {
                let served = served as usize;
                if generation == churn.generation {
                    // Nothing changed since: the rows before `resume` are exactly the `served`.
                    offset_page(rows, churn, resume as usize, 0, served, limit, &matches)
                } else {
                    offset_page(rows, churn, 0, served, served, limit, &matches)
                }
            }
            (PagingModel::Snapshot, None) => {
                let all: Vec<u32> = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| matches(r))
                    .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
                    .collect();
                let first = all.iter().take(limit).map(|&i| i as usize).collect();
                let next = (all.len() > limit).then(|| {
                    let id = shared
                        .lock_snapshots()
                        .keep(fingerprint, all, churn.inserts.len());
                    Cursor::Snapshot {
                        id,
                        served: count(limit),
                    }
                });
                (first, next)
            }
            (PagingModel::Snapshot, Some(Cursor::Snapshot { id, served })) => {
                let (rows, more) = shared
                    .lock_snapshots()
                    .window(id, fingerprint, churn, served as usize, limit)
                    .ok_or_else(invalid_skiptoken)?;
                let next = more.then(|| Cursor::Snapshot {
                    id,
                    served: count(served as usize + limit),
                });
                (rows, next)
            }
            // Tokens of another model: not issued by this server.
            (_, Some(_)) => return Err(invalid_skiptoken()),
        }
    };
    // A snapshot's row that no longer exists is skipped (rows are never removed today).
    let items: Vec<Value> = served
        .iter()
        .filter_map(|&i| rows.get(i))
        .map(|r| Value::Object(render(r)))
        .collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context));
    body.insert("value".into(), Value::Array(items));
    if let Some(cursor) = next {
        let token = encode_skiptoken(cursor, fingerprint, shared.skiptoken_key);
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(&shared.base_url, collection_path, q, &token)),
        );
    }
    Ok(Reply::json(200, Value::Object(body)))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Up to `limit` matching rows from position `start` on, and where the next page starts if
/// another matching row follows: right after the last row served.
fn key_page<T>(
    rows: &[T],
    churn: Churn<'_>,
    start: usize,
    limit: usize,
    matches: &impl Fn(&T) -> bool,
) -> (Vec<usize>, Option<Cursor>) {
    let (served, more) = scan(rows, start, 0, limit, matches);
    let next = more.then(|| Cursor::Key {
        index: count(served.last().map_or(start, |&i| i + 1)),
        inserts: count(churn.inserts.len()),
    });
    (served, next)
}

/// Up to `limit` matching rows from position `start` on after skipping `skip` of them, with
/// `before` rows served by earlier pages; the next page's cursor counts them all.
fn offset_page<T>(
    rows: &[T],
    churn: Churn<'_>,
    start: usize,
    skip: usize,
    before: usize,
    limit: usize,
    matches: &impl Fn(&T) -> bool,
) -> (Vec<usize>, Option<Cursor>) {
    let (served, more) = scan(rows, start, skip, limit, matches);
    let next = more.then(|| Cursor::Offset {
        served: count(before + served.len()),
        resume: count(served.last().map_or(start, |&i| i + 1)),
        generation: churn.generation,
    });
    (served, next)
}

/// Positions of the matching rows from `start` on, after skipping `skip` matches, up to
/// `limit`; and whether another matching row follows them.
fn scan<T>(
    rows: &[T],
    start: usize,
    mut skip: usize,
    limit: usize,
    matches: &impl Fn(&T) -> bool,
) -> (Vec<usize>, bool) {
    let mut served = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(start) {
        if !matches(row) {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if served.len() == limit {
            return (served, true);
        }
        served.push(i);
    }
    (served, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evens(n: &u32) -> bool {
        n % 2 == 0
    }

    #[test]
    fn scan_skips_then_serves_and_looks_one_ahead() {
        let rows: Vec<u32> = (0..10).collect();
        assert_eq!(scan(&rows, 0, 0, 2, &evens), (vec![0, 2], true));
        assert_eq!(scan(&rows, 0, 2, 2, &evens), (vec![4, 6], true));
        assert_eq!(scan(&rows, 5, 0, 2, &evens), (vec![6, 8], false));
        assert_eq!(scan(&rows, 0, 9, 2, &evens), (vec![], false));
    }

    #[test]
    fn an_offset_cursor_resumes_only_at_its_own_generation() {
        let rows: Vec<u32> = (0..10).collect();
        let churn = Churn {
            generation: 4,
            inserts: &[],
        };
        let (served, next) = offset_page(&rows, churn, 0, 0, 0, 2, &evens);
        assert_eq!(served, vec![0, 2]);
        assert_eq!(
            next,
            Some(Cursor::Offset {
                served: 2,
                resume: 3,
                generation: 4
            })
        );
    }

    #[test]
    fn snapshots_are_bounded_and_follow_inserts() {
        let mut s = Snapshots::default();
        let first = s.keep(1, vec![0, 3, 5], 0);
        for _ in 0..MAX_SNAPSHOTS {
            s.keep(2, vec![1], 0);
        }
        assert!(s.window(first, 1, Churn::NONE, 0, 10).is_none());
        let id = s.keep(3, vec![0, 3, 5], 0);
        assert!(
            s.window(id, 4, Churn::NONE, 0, 10).is_none(),
            "another query"
        );
        // Inserts at 3 (before the second row) and 0 (before all).
        let churn = Churn {
            generation: 2,
            inserts: &[3, 0],
        };
        assert_eq!(s.window(id, 3, churn, 1, 1), Some((vec![5], true)));
        assert_eq!(s.window(id, 3, churn, 0, 5), Some((vec![1, 5, 7], false)));
    }
}
