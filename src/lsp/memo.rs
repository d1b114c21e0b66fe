//! Answer caches for the requests that cost most under load: the JSON of a `references`
//! answer and the markdown of a hover card (and, apart, what the card counts from references),
//! per requesting file and entity ID; the JSON of a `completion` answer per file and position.
//!
//! A `references` answer for an ID is the same from every mention of it in a file, and
//! clients ask for the same cards and lists again and again while the workspace does not
//! change in what they depend on. Each entry is filed under the [`Stamp`] of what it depends
//! on (see [`super::engine::Stamps`]), read under the same read lock as the answer was
//! computed, and served only while that stamp is current: after any edit or file change that
//! may change it, the next request computes the answer again. The features themselves stay
//! pure functions of [`crate::analysis::ide`].

use super::engine::Stamp;
use crate::analysis::FileId;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// Entries per cache; past it the cache starts afresh (answers are cheap to recompute, and a
/// bound keeps memory flat whatever the client asks).
const MAX_ENTRIES: usize = 4096;

struct Cache<K, V> {
    map: Mutex<HashMap<K, (Stamp, V)>>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            map: Mutex::default(),
        }
    }
}

impl<K: Hash + Eq, V: Clone> Cache<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Stamp, V)>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry for `key` if it was filed under `stamp`.
    fn get<Q>(&self, key: &Q, stamp: Stamp) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock()
            .get(key)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, stamp: Stamp, value: V) {
        let mut m = self.lock();
        if m.len() >= MAX_ENTRIES && !m.contains_key(&key) {
            m.clear();
        }
        m.insert(key, (stamp, value));
    }
}

/// JSON text of a result.
pub type Json = Arc<[u8]>;

#[derive(Default)]
pub struct Memo {
    /// (file asked from, ID, include declaration) → the locations' JSON.
    references: Cache<(FileId, String, bool), Json>,
    /// (file asked from, ID) → the card's markdown.
    hover: Cache<(FileId, String), Arc<str>>,
    /// (file asked from, ID) → what the card counts from references.
    mention_counts: Cache<(FileId, String), Arc<crate::analysis::ide::MentionCounts>>,
    /// (file, line, UTF-16 or UTF-8 column) → the completion list's JSON.
    /// With the text's generation and how many of its first bytes the list depends on.
    completion: Cache<(FileId, u32, u32), (u64, usize, Json)>,
}

impl Memo {
    /// The cached value, or `make`'s (then cached under `stamp`).
    fn through<K: Hash + Eq, V: Clone>(
        cache: &Cache<K, V>,
        key: K,
        stamp: Stamp,
        make: impl FnOnce() -> Option<V>,
    ) -> Option<V> {
        Self::through_result(cache, key, stamp, || make().ok_or(())).ok()
    }

    /// [`Memo::through`] for a value whose making can fail (nothing is cached then).
    fn through_result<K: Hash + Eq, V: Clone, E>(
        cache: &Cache<K, V>,
        key: K,
        stamp: Stamp,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(v) = cache.get(&key, stamp) {
            return Ok(v);
        }
        let v = make()?;
        cache.put(key, stamp, v.clone());
        Ok(v)
    }

    pub fn references(
        &self,
        key: (FileId, String, bool),
        stamp: Stamp,
        make: impl FnOnce() -> serde_json::Result<Json>,
    ) -> serde_json::Result<Json> {
        Self::through_result(&self.references, key, stamp, make)
    }

    pub fn hover(
        &self,
        key: (FileId, String),
        stamp: Stamp,
        make: impl FnOnce() -> Option<Arc<str>>,
    ) -> Option<Arc<str>> {
        Self::through(&self.hover, key, stamp, make)
    }

    pub fn mention_counts(
        &self,
        key: (FileId, String),
        stamp: Stamp,
        make: impl FnOnce() -> Option<Arc<crate::analysis::ide::MentionCounts>>,
    ) -> Option<Arc<crate::analysis::ide::MentionCounts>> {
        Self::through(&self.mention_counts, key, stamp, make)
    }

    /// A completion list, kept while `stamp` holds and `unchanged(gen, end)` says that the
    /// first `end` bytes of the file's text are those of generation `gen`, the text it was
    /// made for; `make` returns the list with these two.
    pub fn completion(
        &self,
        key: (FileId, u32, u32),
        stamp: Stamp,
        unchanged: impl FnOnce(u64, usize) -> bool,
        make: impl FnOnce() -> serde_json::Result<(Json, u64, usize)>,
    ) -> serde_json::Result<Json> {
        if let Some((gen, end, v)) = self.completion.get(&key, stamp) {
            if unchanged(gen, end) {
                return Ok(v);
            }
        }
        let (v, gen, end) = make()?;
        self.completion.put(key, stamp, (gen, end, v.clone()));
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_served_only_under_their_stamp_and_the_size_is_bounded() {
        let m = Memo::default();
        let key = |i: u32| (FileId(i), 0, 0);
        let json = |s: &str| -> Json { Arc::from(s.as_bytes()) };
        let yes = |_: u64, _: usize| true;
        assert_eq!(
            m.completion(key(1), (0, 0, 1), yes, || Ok((json("[1]"), 7, 40)))
                .unwrap(),
            json("[1]")
        );
        // Same stamp and text: cached (`make` is not called), checked for the text it was
        // made for.
        assert_eq!(
            m.completion(
                key(1),
                (0, 0, 1),
                |g, e| (g, e) == (7, 40),
                || panic!("recomputed")
            )
            .unwrap(),
            json("[1]")
        );
        // The text changed where the list looks: recomputed.
        assert_eq!(
            m.completion(key(1), (0, 0, 1), |_, _| false, || Ok((json("[3]"), 8, 40)))
                .unwrap(),
            json("[3]")
        );
        // Another stamp: recomputed.
        assert_eq!(
            m.completion(key(1), (0, 1, 1), yes, || Ok((json("[2]"), 8, 40)))
                .unwrap(),
            json("[2]")
        );
        for i in 0..(MAX_ENTRIES as u32 + 10) {
            m.completion(key(i + 2), (0, 0, 0), yes, || Ok((json("[]"), 0, 0)))
                .unwrap();
        }
        assert!(m.completion.lock().len() <= MAX_ENTRIES);
    }
}
