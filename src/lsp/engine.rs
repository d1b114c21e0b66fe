//! The server's state behind the protocol: open documents, the workspace model and a per-file
//! analysis cache. Everything here is synchronous and meant to run off the async runtime
//! (`spawn_blocking`); locks are held for one file's work at a time, never across many files.
//!
//! Invalidation follows the model's dependency index: inserting a file yields a `Change` whose
//! IDs give, through `Workspace::dependents`, the files whose analysis may differ. Their epoch is
//! bumped under the same write lock as the insert, so an analysis computed against the old state
//! can never be cached as current.

use super::docs::{DocSnapshot, DocStore};
use super::pos::LineIndex;
use crate::analysis::{FileAnalysis, FileData, FileId, Workspace};
use crate::config::Config;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Documents and files larger than this are not analysed (their features and diagnostics are
/// empty): a 100 MB document would take seconds per keystroke and gigabytes. News articles and
/// entity registries are far smaller.
pub const MAX_ANALYSED_BYTES: usize = 16 << 20;

/// The workspace with the bookkeeping that must change atomically with it.
#[derive(Default)]
pub struct World {
    pub ws: Workspace,
    /// For each open document in `ws`: the generation and version of its text there.
    pub synced: HashMap<String, (u64, i32)>,
    /// Bumped whenever a file's analysis may have changed.
    epochs: HashMap<FileId, u64>,
    /// Bumped on configuration changes (every analysis changes).
    config_epoch: u64,
    /// What the answer caches of [`super::memo`] are checked against.
    pub stamps: Stamps,
}

/// Change counters for the answer caches ([`super::memo`]). For each entity ID, two: `refs`
/// moves when its definitions or its references (which, where) may have changed, `analyses`
/// when, besides, an analysis of a file that mentions it may have (the quotation counts of a
/// hover card read them). For each file, one, and one for the index of IDs (what completion
/// reads, with the recent edits' first changed bytes: see [`Stamps::text_unchanged`]). Bumped under the workspace's write lock with the change they stand for, or right
/// after an analysis is cached, so an answer computed under a read lock with the stamps read
/// before it is never filed under a later state.
#[derive(Default)]
pub struct Stamps {
    /// Bumped when every cached answer is stale (configuration, bulk indexing).
    all: std::sync::atomic::AtomicU64,
    /// Bumped when any ID's definitions or set of referencing files change.
    index: std::sync::atomic::AtomicU64,
    ids: Mutex<HashMap<String, (u64, u64)>>,
    files: Mutex<HashMap<FileId, FileEdits>>,
}

/// One file's counter and its latest edits.
#[derive(Default)]
struct FileEdits {
    /// Bumped when the file changes as a whole (added, removed, or its references other than
    /// by where they are).
    whole: u64,
    /// Bumped with every new text.
    gen: u64,
    /// `(gen, first byte that differs from the text before)` of the latest edits.
    recent: std::collections::VecDeque<(u64, usize)>,
}

/// Edits remembered per file for [`Stamps::text_unchanged`].
const RECENT_EDITS: usize = 64;

/// Past this many IDs to bump, every cached answer is made stale instead (see `bump_ids`).
const MAX_BUMPED_IDS: usize = 2048;

/// Counters kept per ID at most (IDs typed and deleted again leave theirs behind).
const MAX_STAMPED_IDS: usize = 1 << 16;

/// Past this many files whose analyses changed at once, likewise.
const MAX_BUMPED_FILES: usize = 32;

/// A state of what an answer depends on: equal stamps, equal answers.
pub type Stamp = (u64, u64, u64);

impl Stamps {
    fn load(a: &std::sync::atomic::AtomicU64) -> u64 {
        a.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn bump(a: &std::sync::atomic::AtomicU64) {
        a.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The state of `id`'s definitions and of every reference to it.
    pub fn refs(&self, id: &str) -> Stamp {
        let (r, _) = lock(&self.ids).get(id).copied().unwrap_or_default();
        (Self::load(&self.all), 0, r)
    }

    /// [`Stamps::refs`] and the state of the analyses of the files that mention `id`.
    pub fn card(&self, id: &str) -> Stamp {
        let (r, a) = lock(&self.ids).get(id).copied().unwrap_or_default();
        (Self::load(&self.all), r, a)
    }

    /// The state of `file`'s references (which IDs, mentions or not, not where) and of the
    /// workspace's index of IDs, and the generation of its text (for
    /// [`Stamps::text_unchanged`]).
    pub fn file(&self, file: FileId) -> (Stamp, u64) {
        let files = lock(&self.files);
        let f = files.get(&file);
        let (whole, gen) = f.map_or((0, 0), |f| (f.whole, f.gen));
        ((Self::load(&self.all), Self::load(&self.index), whole), gen)
    }

    /// Whether the first `end` bytes of `file`'s text are the same now as at generation `gen`
    /// (false when the edits since are no longer all remembered).
    pub fn text_unchanged(&self, file: FileId, gen: u64, end: usize) -> bool {
        let files = lock(&self.files);
        let Some(f) = files.get(&file) else {
            return gen == 0;
        };
        if f.gen == gen {
            return true;
        }
        // Every edit after `gen` must be remembered, and leave the first `end` bytes alone.
        // Counted and checked in one pass: this runs on every completion cache hit.
        let (mut count, mut kept) = (0u64, true);
        for &(_, p) in f.recent.iter().filter(|(g, _)| *g > gen) {
            count += 1;
            kept &= p >= end;
        }
        count == f.gen.saturating_sub(gen) && kept
    }

    fn bump_all(&self) {
        Self::bump(&self.all);
    }

    /// Bump the IDs of `data`'s references that end at or after byte `from` (those before
    /// it kept their place), and every ID it defines: `refs` too when `refs` is set, else
    /// only `analyses`.
    fn bump_ids(&self, data: &FileData, from: usize, refs: bool) {
        // A large file (a 1 MB document has ~20,000 references): one counter for everything
        // costs less under the write lock than thousands of IDs.
        if data.references.len() + data.entities.len() > MAX_BUMPED_IDS {
            self.bump_all();
            return;
        }
        let mut ids = lock(&self.ids);
        if ids.len() > MAX_STAMPED_IDS {
            // Every ID ever typed has a counter: start afresh (a new `all` keeps the restarted
            // counters from matching stamps filed before).
            ids.clear();
            self.bump_all();
        }
        let mut bump = |id: &str| {
            let n = match ids.get_mut(id) {
                Some(n) => n,
                None => ids.entry(id.to_string()).or_default(),
            };
            n.1 += 1;
            if refs {
                n.0 += 1;
            }
        };
        for r in data.references.iter().filter(|r| ref_end(r) >= from) {
            bump(r.id.as_str());
        }
        for e in &data.entities {
            bump(&e.id);
        }
    }

    /// Every ID `data` mentions or defines, in `analyses` only: its analysis changed.
    fn bump_analyses_of(&self, data: &FileData) {
        self.bump_ids(data, 0, false);
    }

    /// `file` has a new text whose first `from` bytes are unchanged (0: changed as a whole);
    /// `same_refs`: its references are the same IDs, mentions or not, as before.
    fn file_edited(&self, file: FileId, from: usize, same_refs: bool) {
        let mut files = lock(&self.files);
        let f = files.entry(file).or_default();
        f.gen += 1;
        if !same_refs || from == 0 {
            f.whole += 1;
        }
        if f.recent.len() == RECENT_EDITS {
            f.recent.pop_front();
        }
        let gen = f.gen;
        f.recent.push_back((gen, from));
    }

    /// A file's text changes from `old` (if it was there) to `new`: references before the
    /// first byte that differs keep their place (and line and column), so only the IDs of
    /// those from there on, and of the definitions, change in `refs`; every ID of the file
    /// changes in `analyses` (the file's analysis is stale).
    /// Returns the first byte that may differ and whether the file's references are the same
    /// IDs, mentions or not, as before.
    fn file_changed(&self, old: Option<&FileData>, new: Option<&FileData>) -> (usize, bool) {
        let from = match (old, new) {
            (Some(o), Some(n)) => {
                let p = common_prefix(o.text.as_bytes(), n.text.as_bytes());
                // Were a later change to reach back and reparse earlier text (it should not),
                // every reference counts as moved.
                let before = |r: &&crate::analysis::Reference| ref_end(r) < p;
                let (a, b) = (o.references.iter(), n.references.iter());
                if a.filter(before).eq(b.filter(before)) {
                    p
                } else {
                    0
                }
            }
            _ => 0,
        };
        for d in [old, new].into_iter().flatten() {
            self.bump_ids(d, from, true);
            self.bump_analyses_of(d);
        }
        let same_refs = match (old, new) {
            (Some(o), Some(n)) if from > 0 => {
                // Those before `from` are equal (above); compare the rest as sets with repeats.
                fn rest(d: &FileData, from: usize) -> Vec<(&str, bool)> {
                    let mut v: Vec<(&str, bool)> = d
                        .references
                        .iter()
                        .filter(|r| ref_end(r) >= from)
                        .map(|r| (r.id.as_str(), r.is_mention()))
                        .collect();
                    v.sort_unstable();
                    v
                }
                rest(o, from) == rest(n, from)
            }
            _ => false,
        };
        (from, same_refs)
    }
}

/// Where a reference ends, as a user sees it or as its ID does.
fn ref_end(r: &crate::analysis::Reference) -> usize {
    r.full_span().end.max(r.span.end)
}

/// The length of the longest common prefix of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    // Compare in chunks first (texts are often kilobytes), then byte by byte.
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

impl World {
    fn epoch(&self, file: FileId) -> (u64, u64) {
        (
            self.config_epoch,
            self.epochs.get(&file).copied().unwrap_or(0),
        )
    }

    fn invalidate(&mut self, files: impl IntoIterator<Item = FileId>) {
        for f in files {
            *self.epochs.entry(f).or_default() += 1;
        }
    }

    /// Insert a file's new data; returns the files (other than this one) whose analysis may have
    /// changed.
    pub fn insert(&mut self, key: &str, data: Arc<FileData>) -> BTreeSet<FileId> {
        let old = self.ws.file_id(key).and_then(|f| self.ws.file(f));
        let (from, same_refs) = self.stamps.file_changed(old.map(|o| &**o), Some(&data));
        // Completion reads the definitions' summaries, rebuilt on any such insert.
        if !data.entities.is_empty() || old.is_some_and(|o| !o.entities.is_empty()) {
            Stamps::bump(&self.stamps.index);
        }
        let change = self.ws.insert(key, data);
        if let Some(f) = change.file {
            self.stamps.file_edited(f, from, same_refs);
        }
        self.after_change(&change)
    }

    /// Insert during the initial indexing: no per-file dependents (each article would otherwise
    /// walk the users of every ID it mentions, quadratic over the workspace); call
    /// [`World::invalidate_all`] once at the end.
    pub fn insert_bulk(&mut self, key: &str, data: Arc<FileData>) {
        self.ws.insert_quiet(key, data);
        self.stamps.bump_all();
    }

    /// Every cached analysis is stale.
    pub fn invalidate_all(&mut self) {
        self.config_epoch += 1;
        self.stamps.bump_all();
    }

    pub fn remove(&mut self, key: &str) -> BTreeSet<FileId> {
        if let Some(f) = self.ws.file_id(key) {
            if let Some(old) = self.ws.file(f) {
                self.stamps.file_changed(Some(old), None);
            }
            self.stamps.file_edited(f, 0, false);
        }
        match self.ws.remove_file(key) {
            Some(change) => self.after_change(&change),
            None => BTreeSet::new(),
        }
    }

    fn after_change(&mut self, change: &crate::analysis::Change) -> BTreeSet<FileId> {
        let mut deps = self.ws.affected(change);
        self.invalidate(deps.iter().copied());
        // Answers about what these files mention may change with their analyses; positions
        // in the changed file, and anything read from the index of IDs, may change too.
        if deps.len() > MAX_BUMPED_FILES {
            // A definition that thousands of files use: cheaper to start afresh.
            self.stamps.bump_all();
        } else {
            for f in &deps {
                if let Some(data) = self.ws.file(*f) {
                    self.stamps.bump_analyses_of(data);
                }
            }
        }
        if !change.ids.is_empty() || !change.uses.is_empty() || change.file.is_none() {
            Stamps::bump(&self.stamps.index);
        }
        if let Some(f) = change.file {
            deps.remove(&f);
        }
        deps
    }

    pub fn set_config(&mut self, config: Config) {
        self.ws.set_config(config);
        self.config_epoch += 1;
        self.stamps.bump_all();
    }
}

/// One file's analysis, with what converting it to LSP needs.
pub struct Analyzed {
    pub file: FileId,
    pub key: String,
    pub data: Arc<FileData>,
    pub analysis: Arc<FileAnalysis>,
    pub lines: Arc<LineIndex>,
    /// The open document's version this was computed for (`None` for files from disk).
    pub version: Option<i32>,
    /// The open document's generation (`None` for files from disk).
    pub gen: Option<u64>,
    epoch: (u64, u64),
}

impl Analyzed {
    /// Orders results for one file: a publish of a lower stamp after a higher one is stale.
    pub fn stamp(&self) -> (u64, u64, u64) {
        (self.gen.unwrap_or(0), self.epoch.0, self.epoch.1)
    }

    /// A stable identifier for pull diagnostics' `resultId`.
    pub fn result_id(&self) -> String {
        let (g, c, e) = self.stamp();
        format!("{g}.{c}.{e}")
    }
}

/// Why a request has no answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The document changed after the request was sent.
    ContentModified,
    /// Not an open document and not a workspace file.
    UnknownFile,
}

#[derive(Default)]
pub struct Engine {
    pub docs: Mutex<DocStore>,
    /// Answers kept while what they depend on is unchanged (see [`super::memo`]).
    pub memo: super::memo::Memo,
    world: RwLock<World>,
    cache: Mutex<HashMap<FileId, Arc<Analyzed>>>,
    /// Held while a file is being analysed (see `analysis_in`).
    analyzing: Mutex<HashMap<FileId, Arc<Mutex<()>>>>,
    /// Serialises syncing of one document so that its parses are inserted in order.
    sync_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Engine {
    pub fn docs(&self) -> MutexGuard<'_, DocStore> {
        lock(&self.docs)
    }

    pub fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Bring the workspace's copy of an open document up to its latest text. Returns the files
    /// (other than this one) whose analysis may have changed; empty when already in sync or the
    /// document is not open.
    pub fn sync(&self, key: &str) -> BTreeSet<FileId> {
        self.sync_to(key, None)
    }

    /// Like [`Engine::sync`], but to the text of `target` (a request's snapshot) when given:
    /// a request brings the workspace up to the text it was sent against, not past it, so that
    /// requests queued before a later edit are still answered for their own text. Never moves
    /// the workspace back to an older text.
    /// Whether the workspace's copy of open document `key` is older than generation `gen`
    /// (so that a sync to `gen` would move it forward).
    pub fn behind(&self, key: &str, gen: u64) -> bool {
        self.read().synced.get(key).is_none_or(|s| s.0 < gen)
    }

    pub fn sync_to(&self, key: &str, target: Option<&DocSnapshot>) -> BTreeSet<FileId> {
        // Nearly always already there (every request checks every open document): answer that
        // under the read lock alone, without the sync locks' map, a key copy or a snapshot.
        if target.is_some_and(|t| !self.behind(key, t.gen)) {
            return BTreeSet::new();
        }
        let slock = lock(&self.sync_locks)
            .entry(key.to_string())
            .or_default()
            .clone();
        let _serial = lock(&slock);
        let snap = match target {
            Some(t) => t.clone(),
            None => match self.docs().snapshot(key) {
                Some(s) => s,
                None => return BTreeSet::new(),
            },
        };
        loop {
            let opts = {
                let w = self.read();
                if w.synced.get(key).is_some_and(|s| s.0 >= snap.gen) {
                    return BTreeSet::new();
                }
                w.ws.parse_options()
            };
            let text = if snap.rope.len_bytes() > MAX_ANALYSED_BYTES {
                String::new()
            } else {
                snap.rope.to_string()
            };
            let data = Arc::new(FileData::new(text, &opts));
            let mut w = self.write();
            // A configuration change in between re-parses everything with new options: redo.
            if w.ws.parse_options().quote_style != opts.quote_style {
                continue;
            }
            // Closed meanwhile: the disk's copy takes its place (see `after_close`).
            if !self.docs().is_open(key) {
                return BTreeSet::new();
            }
            let deps = w.insert(key, data);
            w.synced.insert(key.to_string(), (snap.gen, snap.version));
            // The cached analysis is of the previous text: free it (and that text's tree) now,
            // not when the next analysis replaces it, so a 1 MB document is not kept twice.
            if let Some(f) = w.ws.file_id(key) {
                lock(&self.cache).remove(&f);
            }
            return deps;
        }
    }

    /// The current analysis of a file, from the cache when still valid.
    #[cfg(test)]
    pub fn analysis(&self, file: FileId) -> Option<Arc<Analyzed>> {
        self.analysis_in(&self.read(), file)
    }

    /// Like [`Engine::analysis`], under a read lock the caller already holds.
    pub fn analysis_in(&self, w: &World, file: FileId) -> Option<Arc<Analyzed>> {
        let epoch = w.epoch(file);
        let data = w.ws.file(file)?.clone();
        let current = |c: &Option<Arc<Analyzed>>| {
            c.as_ref()
                .is_some_and(|c| c.epoch == epoch && Arc::ptr_eq(&c.data, &data))
        };
        let cached = lock(&self.cache).get(&file).cloned();
        if current(&cached) {
            return cached;
        }
        // One analysis of a file at a time: requests that arrive together after an edit (and
        // the diagnostics task) wait for the first one's instead of each computing the same.
        let slot = lock(&self.analyzing).entry(file).or_default().clone();
        let _one = lock(&slot);
        let cached = lock(&self.cache).get(&file).cloned();
        if current(&cached) {
            return cached;
        }
        let key = w.ws.key(file).to_string();
        let synced = w.synced.get(&key).copied();
        let analysis = Arc::new(w.ws.analyze(file));
        let lines = match &cached {
            Some(c) if Arc::ptr_eq(&c.data, &data) => c.lines.clone(),
            _ => Arc::new(LineIndex::new(&data.text)),
        };
        let out = Arc::new(Analyzed {
            file,
            key,
            data,
            analysis,
            lines,
            version: synced.map(|s| s.1),
            gen: synced.map(|s| s.0),
            epoch,
        });
        let mut cache = lock(&self.cache);
        let keep = cache.get(&file).is_some_and(|c| c.epoch > epoch);
        if !keep {
            cache.insert(file, out.clone());
        }
        drop(cache);
        // After caching it: hover cards count the quotations of cached analyses.
        w.stamps.bump_analyses_of(&out.data);
        Some(out)
    }

    /// The cached analysis of a file if it is still valid; never analyses (for requests that
    /// must stay cheap, such as the workspace counts of a hover card).
    pub fn cached_analysis_in(&self, w: &World, file: FileId) -> Option<Arc<Analyzed>> {
        let epoch = w.epoch(file);
        let data = w.ws.file(file)?;
        let cached = lock(&self.cache).get(&file).cloned()?;
        (cached.epoch == epoch && Arc::ptr_eq(&cached.data, data)).then_some(cached)
    }

    /// Run `f` on the analysis a request should see, under one read lock so that the workspace
    /// and the analysis agree: for an open document, the analysis of the text the request was
    /// sent against (`snap`, taken when it arrived); for other files, the workspace's copy.
    /// Also returns the files a sync of the document invalidated.
    pub fn with_file<T>(
        &self,
        key: &str,
        snap: Option<&DocSnapshot>,
        f: impl FnOnce(&World, &Arc<Analyzed>) -> T,
    ) -> Result<(T, BTreeSet<FileId>), Unavailable> {
        let deps = self.sync_to(key, snap);
        let w = self.read();
        if let Some(s) = snap {
            match w.synced.get(key) {
                Some((gen, _)) if *gen == s.gen => {}
                _ => return Err(Unavailable::ContentModified),
            }
        }
        let file = w.ws.file_id(key).ok_or(Unavailable::UnknownFile)?;
        let a = self.analysis_in(&w, file).ok_or(Unavailable::UnknownFile)?;
        Ok((f(&w, &a), deps))
    }

    /// The analysis of a file, as [`Engine::with_file`] sees it.
    #[cfg(test)]
    pub fn analysis_for(
        &self,
        key: &str,
        snap: Option<&DocSnapshot>,
    ) -> Result<(Arc<Analyzed>, BTreeSet<FileId>), Unavailable> {
        self.with_file(key, snap, |_, a| a.clone())
    }

    /// Sync every open document (before a workspace-wide request such as a rename).
    pub fn sync_all(&self) -> BTreeSet<FileId> {
        let keys: Vec<String> = self.docs().keys().cloned().collect();
        let mut deps = BTreeSet::new();
        for k in keys {
            deps.extend(self.sync(&k));
        }
        deps
    }

    /// Forget cached analyses of files no longer in the workspace.
    pub fn drop_cache(&self, file: FileId) {
        lock(&self.cache).remove(&file);
    }

    /// Keys of open documents among these files.
    pub fn open_keys(&self, files: &BTreeSet<FileId>) -> Vec<String> {
        if files.is_empty() {
            return Vec::new();
        }
        let keys: Vec<String> = {
            let w = self.read();
            files.iter().map(|f| w.ws.key(*f).to_string()).collect()
        };
        let docs = self.docs();
        keys.into_iter().filter(|k| docs.is_open(k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::pos::Encoding;
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

    fn open(e: &Engine, key: &str, text: &str) {
        let uri = format!("file://{key}").parse().unwrap();
        e.docs().open(key, uri, text, 1);
    }

    #[test]
    fn definition_change_invalidates_dependents_only() {
        let e = Engine::default();
        {
            let mut w = e.write();
            let opts = w.ws.parse_options();
            w.insert(
                "/reg.nmk",
                Arc::new(FileData::new("@a: person \"Ann\"\n".into(), &opts)),
            );
            w.insert(
                "/other.nmk",
                Arc::new(FileData::new("Nothing here.\n".into(), &opts)),
            );
        }
        open(&e, "/art.nmk", "Hello @a.\n");
        assert!(e
            .sync("/art.nmk")
            .contains(&e.read().ws.file_id("/reg.nmk").unwrap()));
        let (art, _) = e.analysis_for("/art.nmk", None).unwrap();
        assert!(
            art.analysis.diagnostics.is_empty(),
            "{:?}",
            art.analysis.diagnostics
        );
        let other = e.read().ws.file_id("/other.nmk").unwrap();
        let other_a = e.analysis(other).unwrap();
        // Removing the definition: the article's cached analysis is stale, the other file's not.
        let deps = e.write().remove("/reg.nmk");
        assert!(deps.contains(&art.file) && !deps.contains(&other));
        let art2 = e.analysis(art.file).unwrap();
        assert!(!Arc::ptr_eq(&art, &art2));
        assert_eq!(art2.analysis.diagnostics.len(), 1);
        assert!(Arc::ptr_eq(&other_a, &e.analysis(other).unwrap()));
    }

    #[test]
    fn stamps_move_for_the_ids_an_edit_can_change() {
        let e = Engine::default();
        let opts = e.read().ws.parse_options();
        let put = |text: &str| {
            e.write()
                .insert("/a.nmk", Arc::new(FileData::new(text.into(), &opts)));
        };
        put("@x: person \"X\"\n\nHello @y and @z.\n");
        let w = || e.read();
        let (x, y, z) = (
            w().stamps.refs("x"),
            w().stamps.refs("y"),
            w().stamps.refs("z"),
        );
        let (yc, file) = (w().stamps.card("y"), w().stamps.file(FileId(0)));
        // Typing at the end: the references before the edit keep their place.
        put("@x: person \"X\"\n\nHello @y and @z.\nmore");
        assert_eq!(w().stamps.refs("y"), y);
        assert_eq!(w().stamps.refs("z"), z);
        // The definitions of the file, its analysis and the file itself count as changed.
        assert_ne!(w().stamps.refs("x"), x);
        assert_ne!(w().stamps.card("y"), yc);
        assert_ne!(w().stamps.file(FileId(0)), file);
        // An edit between the references moves the later one only.
        let (y, z) = (w().stamps.refs("y"), w().stamps.refs("z"));
        put("@x: person \"X\"\n\nHello @y and so @z.\nmore");
        assert_eq!(w().stamps.refs("y"), y);
        assert_ne!(w().stamps.refs("z"), z);
        // Caching an analysis moves the card stamps of what the file mentions, not `refs`.
        let (y, yc) = (w().stamps.refs("y"), w().stamps.card("y"));
        e.analysis(FileId(0)).unwrap();
        assert_eq!(w().stamps.refs("y"), y);
        assert_ne!(w().stamps.card("y"), yc);
        // Removing the file moves everything it had.
        let z = w().stamps.refs("z");
        e.write().remove("/a.nmk");
        assert_ne!(w().stamps.refs("z"), z);
    }

    #[test]
    fn text_unchanged_tells_which_prefix_every_edit_since_kept() {
        let e = Engine::default();
        let opts = e.read().ws.parse_options();
        let put = |text: String| {
            e.write()
                .insert("/a.nmk", Arc::new(FileData::new(text, &opts)));
        };
        let head = "Hello @y.\n\n";
        put(format!("{head}a"));
        let f = FileId(0);
        let (stamp, gen) = e.read().stamps.file(f);
        // Typing after the head: its bytes are unchanged, the references too.
        put(format!("{head}ab"));
        put(format!("{head}abc"));
        let w = e.read();
        assert_eq!(w.stamps.file(f).0, stamp);
        assert!(w.stamps.text_unchanged(f, gen, head.len()));
        assert!(!w.stamps.text_unchanged(f, gen, head.len() + 2));
        drop(w);
        // Past the edits remembered, nothing counts as unchanged.
        for i in 0..RECENT_EDITS {
            put(format!("{head}{i}"));
        }
        assert!(!e.read().stamps.text_unchanged(f, gen, 1));
        // A new mention below changes the file's stamp.
        put(format!("{head}@z"));
        assert_ne!(e.read().stamps.file(f).0, stamp);
    }

    #[test]
    fn requests_are_answered_for_their_own_text_or_content_modified() {
        let e = Engine::default();
        open(&e, "/a.nmk", "one\n");
        let snap = e.docs().snapshot("/a.nmk").unwrap();
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, 0), Position::new(0, 3))),
            range_length: None,
            text: "two".into(),
        };
        e.docs().change("/a.nmk", 2, &[change], Encoding::Utf16);
        // A request sent before the change is answered for the text it was sent against...
        let (a, _) = e.analysis_for("/a.nmk", Some(&snap)).unwrap();
        assert_eq!(a.data.text, "one\n");
        assert_eq!(a.version, Some(1));
        let now = e.docs().snapshot("/a.nmk").unwrap();
        let (a, _) = e.analysis_for("/a.nmk", Some(&now)).unwrap();
        assert_eq!(a.data.text, "two\n");
        assert_eq!(a.version, Some(2));
        // ...unless a newer text has replaced it meanwhile.
        assert_eq!(
            e.analysis_for("/a.nmk", Some(&snap)).err(),
            Some(Unavailable::ContentModified)
        );
    }
}
