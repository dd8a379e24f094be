//! Defences for following a server's paging: a nextLink that loops, pages that never end, the
//! same request listed twice, and ids that are not ids.
//!
//! Graph promises absolute nextLinks until the last page and says a page "may contain zero or
//! more results"; it promises nothing against a server that keeps answering. So each stream of
//! pages is bounded, and every id that enters ep from a listing is checked before anything is
//! printed about it or sent for it.

use super::{AssignmentRequest, GraphError};
use std::collections::HashSet;
use std::hash::BuildHasher;
use url::Url;

/// More pages than a 200,000-request tenant (Graph's documented limit) needs even one request
/// per page.
pub const MAX_PAGES: usize = 250_000;
/// Empty pages in a row after which a server is taken to be looping, not paging.
pub const MAX_EMPTY_RUN: usize = 50;

/// One stream of pages: every nextLink is new, and the stream ends.
pub struct PageGuard {
    seen: HashSet<u64>,
    hasher: std::collections::hash_map::RandomState,
    pages: usize,
    empty_run: usize,
}

impl Default for PageGuard {
    fn default() -> Self {
        PageGuard {
            seen: HashSet::new(),
            hasher: std::collections::hash_map::RandomState::new(),
            pages: 0,
            empty_run: 0,
        }
    }
}

impl PageGuard {
    /// Called for each page received, with its item count and its nextLink.
    pub fn check(&mut self, items: usize, next: Option<&Url>) -> Result<(), GraphError> {
        self.pages += 1;
        self.empty_run = if items == 0 { self.empty_run + 1 } else { 0 };
        let Some(next) = next else { return Ok(()) };
        let shown = || {
            let mut u = next.clone();
            u.set_query(None);
            u.to_string()
        };
        // A hash, not the link: skiptokens can be long, and a 200k listing keeps thousands.
        if !self.seen.insert(self.hasher.hash_one(next.as_str())) {
            return Err(GraphError::BadResponse {
                url: shown(),
                detail: "the server sent the same @odata.nextLink twice; stopping instead of \
                         looping"
                    .into(),
            });
        }
        if self.empty_run >= MAX_EMPTY_RUN {
            return Err(GraphError::BadResponse {
                url: shown(),
                detail: format!(
                    "{MAX_EMPTY_RUN} empty pages in a row, each with another @odata.nextLink; \
                     stopping instead of paging forever"
                ),
            });
        }
        if self.pages >= MAX_PAGES {
            return Err(GraphError::BadResponse {
                url: shown(),
                detail: format!("more than {MAX_PAGES} pages; stopping"),
            });
        }
        Ok(())
    }
}

/// What a listing let through: each request once, and only with an id that is a GUID.
#[derive(Default)]
pub struct ListingCheck {
    seen: HashSet<u128>,
    pub duplicates: usize,
    pub invalid: usize,
    /// The first invalid id, shortened, for the message (made safe where it is printed).
    pub first_invalid: Option<String>,
}

impl ListingCheck {
    /// Keeps the requests seen for the first time with a valid id.
    pub fn admit(&mut self, page: Vec<AssignmentRequest>) -> Vec<AssignmentRequest> {
        page.into_iter().filter(|r| self.admit_one(&r.id)).collect()
    }

    fn admit_one(&mut self, id: &str) -> bool {
        match server_guid(id) {
            Some(guid) if self.seen.insert(guid) => true,
            Some(_) => {
                self.duplicates += 1;
                false
            }
            None => {
                self.invalid += 1;
                if self.first_invalid.is_none() {
                    self.first_invalid = Some(crate::sanitize::excerpt(id));
                }
                false
            }
        }
    }
}

/// An id from a server, if it is a GUID in the usual hyphenated form. Anything else could be a
/// path (`../../users/x`), a query (`x?y=1`) or a terminal escape, and is never used.
pub fn server_guid(id: &str) -> Option<u128> {
    if id.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(id).ok().map(|u| u.as_u128())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_repeated_next_link_stops_the_stream() {
        let mut g = PageGuard::default();
        let a = url("https://graph.microsoft.com/v1.0/x?$skiptoken=a");
        let b = url("https://graph.microsoft.com/v1.0/x?$skiptoken=b");
        g.check(3, Some(&a)).unwrap();
        g.check(3, Some(&b)).unwrap();
        assert!(g.check(3, Some(&a)).is_err());
    }

    #[test]
    fn endless_empty_pages_stop_but_a_few_are_fine() {
        let mut g = PageGuard::default();
        for i in 0..MAX_EMPTY_RUN - 1 {
            g.check(0, Some(&url(&format!("https://h/x?t={i}"))))
                .unwrap();
        }
        g.check(1, Some(&url("https://h/x?t=full"))).unwrap();
        let mut g = PageGuard::default();
        let stopped = (0..MAX_EMPTY_RUN + 1)
            .map(|i| g.check(0, Some(&url(&format!("https://h/x?t={i}")))))
            .any(|r| r.is_err());
        assert!(stopped);
        assert!(
            PageGuard::default().check(0, None).is_ok(),
            "a last empty page is fine"
        );
    }

    #[test]
    fn only_hyphenated_guids_pass_and_each_once() {
        let mut c = ListingCheck::default();
        for id in [
            "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
            "9BBE5F7D-F1E7-4EB1-A586-38CDF6F8B1EA",
            "../../../../v1.0/users/victim",
            "x?y=1#frag",
            "",
            "\u{1b}[2J",
            "{9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1e}",
            "9bbe5f7df1e74eb1a58638cdf6f8b1ea",
        ] {
            c.admit_one(id);
        }
        assert_eq!((c.duplicates, c.invalid), (1, 6));
        assert_eq!(
            c.first_invalid.as_deref(),
            Some("../../../../v1.0/users/victim")
        );
    }
}
