//! A tenant that changes by itself while a client lists it (`live_changes`).
//!
//! A real tenant does not hold still for a client's listing: new requests fail, the service's
//! own retries deliver failed ones, delivered ones break. Every `live_every`-th listing page of
//! the requests collection first makes one such change, until `live_changes` have been made.
//! The changes are drawn from a stream of their own, so the same seed and call sequence make
//! the same changes, and turning them on changes neither the seed data nor any other knob's
//! dice.

use chrono::{DateTime, Utc};

use super::model::{RequestState, Store};
use super::seed::{self, SplitMix64, mix64};

/// Salt of the live-change stream.
const LIVE_SALT: u64 = 0x11FE_11FE_C4A6_6E00;

#[derive(Debug)]
pub(crate) struct LiveTenant {
    rng: SplitMix64,
    /// Changes still to make.
    left: usize,
    made: usize,
    every: u64,
    listings: u64,
}

impl LiveTenant {
    pub(crate) fn new(seed: u64, changes: usize, every: usize) -> LiveTenant {
        LiveTenant {
            rng: SplitMix64::new(mix64(seed ^ LIVE_SALT)),
            left: changes,
            made: 0,
            every: every.max(1) as u64,
            listings: 0,
        }
    }

    /// Changes made so far.
    pub(crate) fn made(&self) -> usize {
        self.made
    }

    /// Counts one listing page of the requests collection; on every `every`-th, makes one
    /// change to `store` (settled to `now` by the caller) while any are left.
    pub(crate) fn on_listing(&mut self, store: &mut Store, now: DateTime<Utc>) {
        if self.left == 0 {
            return;
        }
        self.listings += 1;
        if self.listings % self.every != 0 {
            return;
        }
        // The drawn kind first; if the tenant has nothing it could apply to, the next kinds.
        // A new failure is always possible, so every turn makes exactly one change.
        let first = self.rng.below(3);
        for k in 0..3 {
            let made = match (first + k) % 3 {
                0 => self.new_failure(store, now),
                1 => self.retry_succeeds(store, now),
                _ => self.delivered_fails(store, now),
            };
            if made {
                self.left -= 1;
                self.made += 1;
                return;
            }
        }
    }

    /// A request fails that nobody has seen yet, at a random place in the stable order, so it
    /// may land before a client's cursor.
    fn new_failure(&mut self, store: &mut Store, now: DateTime<Utc>) -> bool {
        if store.packages.is_empty() || store.subjects.is_empty() {
            return false;
        }
        let request = seed::live_failure(
            &mut self.rng,
            store.packages.len(),
            store.subjects.len(),
            now,
            |id| store.find_request(id).is_some(),
        );
        let at = self.rng.below(store.requests.len() as u64 + 1) as usize;
        store.insert_request(at, request);
        true
    }

    /// The service's own retry delivers a failed request: it leaves the failed set.
    fn retry_succeeds(&mut self, store: &mut Store, now: DateTime<Utc>) -> bool {
        self.change_one(
            store,
            |s| {
                matches!(
                    s,
                    RequestState::DeliveryFailed | RequestState::PartiallyDelivered
                )
            },
            RequestState::Delivered,
            now,
        )
    }

    /// A delivered request breaks (a resource was removed behind the service's back).
    fn delivered_fails(&mut self, store: &mut Store, now: DateTime<Utc>) -> bool {
        self.change_one(
            store,
            |s| s == RequestState::Delivered,
            RequestState::DeliveryFailed,
            now,
        )
    }

    /// Moves one random request in a state `from` accepts, without a pending reprocess (whose
    /// outcome is the service's to decide), to `to`, completed `now`.
    fn change_one(
        &mut self,
        store: &mut Store,
        from: impl Fn(RequestState) -> bool,
        to: RequestState,
        now: DateTime<Utc>,
    ) -> bool {
        let candidates: Vec<usize> = store
            .requests
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pending.is_none() && from(r.state))
            .map(|(i, _)| i)
            .collect();
        let drawn = self.rng.below(candidates.len() as u64) as usize;
        let Some(&pick) = candidates.get(drawn) else {
            return false;
        };
        store.set_state(pick, to, Some(now));
        true
    }
}
