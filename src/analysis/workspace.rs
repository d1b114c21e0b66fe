//! The workspace: every file's [`FileData`] plus an index from IDs to their definitions and to
//! the files that reference them. Updating one file touches only the index entries of its IDs
//! and reports which IDs changed, so a server re-checks just the files that depend on them.

use super::entity::{Entity, EntityKind};
use super::file::FileData;
use crate::config::Config;
use crate::syntax::ParseOptions;
use fnv::{FnvHashMap, FnvHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A definition: the file and the index into its `entities`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityRef {
    pub file: FileId,
    pub index: usize,
}

/// How an `@ID` in a file resolves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Defined in the same file (the first definition there wins).
    Local(EntityRef),
    /// Defined in exactly one other file.
    Workspace(EntityRef),
    /// Defined in several other files and in none of this one.
    Ambiguous(Vec<EntityRef>),
    Undefined,
}

impl Resolution {
    pub fn entity(&self) -> Option<EntityRef> {
        match self {
            Resolution::Local(e) | Resolution::Workspace(e) => Some(*e),
            _ => None,
        }
    }
}

/// What an update changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    pub file: Option<FileId>,
    /// IDs whose definitions changed: every file that defines or references them may analyse
    /// differently.
    pub ids: BTreeSet<String>,
    /// IDs whose set of referencing files changed (and whose definitions did not): only the
    /// files defining them may analyse differently (whether a definition is used, or shadows
    /// one that is). An edit that keeps a file's referenced IDs changes none.
    pub uses: BTreeSet<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    config: Arc<Config>,
    keys: Vec<String>,
    by_key: FnvHashMap<String, FileId>,
    files: BTreeMap<FileId, Arc<FileData>>,
    /// ID → every definition, in (file, index) order. FNV rather than SipHash: IDs are short and
    /// every `set_file` and analysis looks them up (nothing iterates these maps in an order
    /// that reaches the output).
    defs: FnvHashMap<String, Vec<EntityRef>>,
    /// ID → the files that reference it, sorted.
    users: FnvHashMap<String, Vec<FileId>>,
    /// Every defined ID with what completion matches against, built on first use after the
    /// definitions changed (they rarely do while a user types).
    summaries: OnceLock<Vec<IdSummary>>,
    /// For each of `summaries`, how many files reference the ID; built on first use after the
    /// summaries or any file's set of referenced IDs changed.
    user_counts: OnceLock<Vec<u32>>,
}

/// A defined ID as completion lists it; depends on the definitions only.
#[derive(Clone, Debug)]
pub struct IdSummary {
    pub id: String,
    /// Every definition, in (file, index) order.
    pub defs: Vec<EntityRef>,
    /// The ID and the names and aliases of every definition, separated by spaces.
    pub filter_text: String,
    /// `filter_text` in lower case.
    pub filter_lower: String,
    /// With exactly one definition: its detail line and documentation for completion.
    pub single: Option<(String, String)>,
    /// With exactly one definition: its kind (`Some(None)`: a definition without a kind).
    pub kind: Option<Option<EntityKind>>,
}

impl Workspace {
    pub fn new(config: Config) -> Workspace {
        Workspace {
            config: Arc::new(config),
            ..Workspace::default()
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn parse_options(&self) -> ParseOptions {
        parse_options(&self.config)
    }

    /// Replace the configuration; files are re-parsed when the quotation style changed.
    pub fn set_config(&mut self, config: Config) {
        let reparse = config.attribution.quote_style != self.config.attribution.quote_style;
        self.config = Arc::new(config);
        if reparse {
            let opts = self.parse_options();
            let all: Vec<_> = self
                .files
                .iter()
                .map(|(id, f)| (*id, f.text.clone()))
                .collect();
            for (id, text) in all {
                let key = self.keys[id.0 as usize].clone();
                self.insert(&key, Arc::new(FileData::new(text, &opts)));
            }
        }
    }

    pub fn file_id(&self, key: &str) -> Option<FileId> {
        self.by_key
            .get(key)
            .copied()
            .filter(|id| self.files.contains_key(id))
    }

    /// The key (path or URI) the file was added under.
    pub fn key(&self, file: FileId) -> &str {
        &self.keys[file.0 as usize]
    }

    pub fn file(&self, file: FileId) -> Option<&Arc<FileData>> {
        self.files.get(&file)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &Arc<FileData>)> {
        self.files.iter().map(|(k, v)| (*k, v))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Parse `text` and put it in the workspace under `key`.
    pub fn set_file(&mut self, key: &str, text: String) -> Change {
        let data = FileData::new(text, &self.parse_options());
        self.insert(key, Arc::new(data))
    }

    /// Put an already parsed file in the workspace (parse off the lock, insert under it).
    pub fn insert(&mut self, key: &str, data: Arc<FileData>) -> Change {
        self.put(key, data, true)
    }

    /// [`Workspace::insert`] without working out what changed (bulk loading, where the caller
    /// treats everything as changed).
    pub fn insert_quiet(&mut self, key: &str, data: Arc<FileData>) {
        self.put(key, data, false);
    }

    fn put(&mut self, key: &str, data: Arc<FileData>, track: bool) -> Change {
        let id = match self.by_key.get(key) {
            Some(id) => *id,
            None => {
                let id = FileId(self.keys.len() as u32);
                self.keys.push(key.to_string());
                self.by_key.insert(key.to_string(), id);
                id
            }
        };
        let old = self.files.insert(id, data.clone());
        let mut change = Change {
            file: Some(id),
            ..Change::default()
        };
        if let Some(old) = &old {
            self.unindex_defs(id, old);
        }
        self.index_defs(id, &data);
        if !data.entities.is_empty() || old.as_ref().is_some_and(|o| !o.entities.is_empty()) {
            self.summaries = OnceLock::new();
            self.user_counts = OnceLock::new();
        }
        if track {
            change.ids = changed_ids(old.as_deref(), &data);
        }
        if old.is_none() && !track {
            // A new file while loading: `add_user` skips repeats, no need to sort them out.
            for r in &data.references {
                self.add_user(&r.id, id);
            }
            return change;
        }
        if old.is_none() {
            // A new file: each ID it references is a new use, in sorted order, so the set of
            // them is built in one go (inserting them one by one, then dropping the defined
            // ones, compared strings all along).
            let after = referenced(&data);
            for r in &after {
                self.add_user(r, id);
            }
            change.uses = after
                .into_iter()
                .filter(|r| !change.ids.contains(*r))
                .map(str::to_owned)
                .collect();
            return change;
        }
        // Only the difference of the referenced IDs touches the users index.
        let before = old.as_deref().map(referenced).unwrap_or_default();
        let after = referenced(&data);
        let (mut i, mut j) = (0, 0);
        while i < before.len() || j < after.len() {
            let (gone, came) = match (before.get(i), after.get(j)) {
                (Some(b), Some(a)) if b == a => {
                    i += 1;
                    j += 1;
                    continue;
                }
                (Some(b), Some(a)) if b < a => (Some(*b), None),
                (Some(b), None) => (Some(*b), None),
                (_, Some(a)) => (None, Some(*a)),
                (None, None) => break,
            };
            if let Some(r) = gone {
                i += 1;
                self.remove_user(r, id);
                if track {
                    change.uses.insert(r.to_string());
                }
            }
            if let Some(r) = came {
                j += 1;
                self.add_user(r, id);
                if track {
                    change.uses.insert(r.to_string());
                }
            }
        }
        change.uses.retain(|u| !change.ids.contains(u));
        change
    }

    pub fn remove_file(&mut self, key: &str) -> Option<Change> {
        let id = self.file_id(key)?;
        let old = self.files.remove(&id)?;
        self.unindex_defs(id, &old);
        if !old.entities.is_empty() {
            self.summaries = OnceLock::new();
            self.user_counts = OnceLock::new();
        }
        let mut change = Change {
            file: Some(id),
            ..Change::default()
        };
        change.ids.extend(old.entities.iter().map(|e| e.id.clone()));
        for r in referenced(&old) {
            self.remove_user(r, id);
            if !change.ids.contains(r) {
                change.uses.insert(r.to_string());
            }
        }
        Some(change)
    }

    fn unindex_defs(&mut self, id: FileId, old: &FileData) {
        for e in old.defined_ids() {
            if let Some(v) = self.defs.get_mut(e) {
                v.retain(|r| r.file != id);
                if v.is_empty() {
                    self.defs.remove(e);
                }
            }
        }
    }

    fn index_defs(&mut self, id: FileId, data: &FileData) {
        for (index, e) in data.entities.iter().enumerate() {
            let v = self.defs.entry(e.id.clone()).or_default();
            v.push(EntityRef { file: id, index });
            // Files are mostly added in id order: sort only when that order is broken, so that
            // adding n files that define one ID stays linear.
            if v.len() > 1 && v[v.len() - 2] > v[v.len() - 1] {
                v.sort();
            }
        }
    }

    fn add_user(&mut self, r: &str, id: FileId) {
        self.user_counts = OnceLock::new();
        // Look up before allocating a key: most IDs are already there.
        let Some(v) = self.users.get_mut(r) else {
            self.users.insert(r.to_string(), vec![id]);
            return;
        };
        // Files are mostly added in id order: then this is a push.
        if v.last().is_none_or(|l| *l < id) {
            v.push(id);
        } else if let Err(at) = v.binary_search(&id) {
            v.insert(at, id);
        }
    }

    fn remove_user(&mut self, r: &str, id: FileId) {
        self.user_counts = OnceLock::new();
        if let Some(v) = self.users.get_mut(r) {
            if let Ok(at) = v.binary_search(&id) {
                v.remove(at);
            }
            if v.is_empty() {
                self.users.remove(r);
            }
        }
    }

    /// Every definition of `id` in the workspace.
    pub fn definitions(&self, id: &str) -> &[EntityRef] {
        self.defs.get(id).map_or(&[], Vec::as_slice)
    }

    /// Files that reference `id`.
    pub fn users(&self, id: &str) -> impl Iterator<Item = FileId> + '_ {
        self.users.get(id).into_iter().flatten().copied()
    }

    /// How many files other than `file` reference `id` (one index lookup).
    pub fn other_user_count(&self, id: &str, file: FileId) -> usize {
        self.users
            .get(id)
            .map_or(0, |s| s.len() - usize::from(s.binary_search(&file).is_ok()))
    }

    /// Every defined ID with its definitions and completion strings, sorted by ID (cached until
    /// a definition changes).
    pub fn id_summaries(&self) -> &[IdSummary] {
        self.summaries.get_or_init(|| {
            let mut out: Vec<IdSummary> = self
                .defs
                .iter()
                .map(|(id, defs)| {
                    let names = defs
                        .iter()
                        .filter_map(|d| self.entity(*d))
                        .flat_map(|e| e.names());
                    let filter_text = std::iter::once(id.as_str())
                        .chain(names)
                        .collect::<Vec<_>>()
                        .join(" ");
                    IdSummary {
                        id: id.clone(),
                        defs: defs.clone(),
                        filter_lower: filter_text.to_lowercase(),
                        filter_text,
                        kind: match defs.as_slice() {
                            [d] => self.entity(*d).map(|e| e.kind),
                            _ => None,
                        },
                        single: match defs.as_slice() {
                            [d] => crate::analysis::ide::entity_detail(self, *d),
                            _ => None,
                        },
                    }
                })
                .collect();
            out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
            out
        })
    }

    /// How many files reference each ID of [`Workspace::id_summaries`], in its order (cached
    /// until a file's set of referenced IDs changes).
    pub fn user_counts(&self) -> &[u32] {
        self.user_counts.get_or_init(|| {
            self.id_summaries()
                .iter()
                .map(|s| self.users.get(&s.id).map_or(0, |u| u.len() as u32))
                .collect()
        })
    }

    pub fn entity(&self, r: EntityRef) -> Option<&Entity> {
        self.files.get(&r.file)?.entities.get(r.index)
    }

    /// All IDs defined anywhere, with their definitions.
    pub fn all_definitions(&self) -> impl Iterator<Item = (&str, &[EntityRef])> {
        self.defs.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// How `id` resolves from `file`: its own definition first, else the one workspace one.
    pub fn resolve(&self, file: FileId, id: &str) -> Resolution {
        resolution(file, self.definitions(id))
    }

    /// The entity `id` resolves to from `file`, if exactly one.
    pub fn resolve_entity(&self, file: FileId, id: &str) -> Option<(EntityRef, &Entity)> {
        let r = self.resolve(file, id).entity()?;
        Some((r, self.entity(r)?))
    }

    /// Files whose analysis may change when these IDs changed: those that define or reference
    /// any of them.
    pub fn dependents<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> BTreeSet<FileId> {
        let mut out = BTreeSet::new();
        for id in ids {
            out.extend(self.users(id));
            out.extend(self.definitions(id).iter().map(|r| r.file));
        }
        out
    }

    /// Files whose analysis may differ after `change` (including the changed file itself):
    /// definers and users of IDs whose definitions changed, definers of IDs whose users changed.
    pub fn affected(&self, change: &Change) -> BTreeSet<FileId> {
        let mut out = self.dependents(&change.ids);
        for id in &change.uses {
            out.extend(self.definitions(id).iter().map(|r| r.file));
        }
        out.extend(change.file);
        out
    }
}

/// The IDs a file references, sorted and without repeats.
fn referenced(data: &FileData) -> Vec<&str> {
    // Deduplicated by hash first: a file mentions few IDs many times, and sorting every
    // reference compared strings about n log n times.
    let distinct: FnvHashSet<&str> = data.references.iter().map(|r| r.id.as_str()).collect();
    let mut v: Vec<&str> = distinct.into_iter().collect();
    v.sort_unstable();
    v
}

/// How an ID with these definitions (in (file, index) order) resolves from `file`.
pub fn resolution(file: FileId, defs: &[EntityRef]) -> Resolution {
    if let Some(local) = defs.iter().find(|r| r.file == file) {
        return Resolution::Local(*local);
    }
    match defs {
        [] => Resolution::Undefined,
        [one] => Resolution::Workspace(*one),
        many => Resolution::Ambiguous(many.to_vec()),
    }
}

pub fn parse_options(config: &Config) -> ParseOptions {
    ParseOptions {
        quote_style: config.attribution.quote_style,
    }
}

/// IDs whose definitions differ between the old and new version of a file.
fn changed_ids(old: Option<&FileData>, new: &FileData) -> BTreeSet<String> {
    // A new file changes every ID it defines: no fingerprints to compare.
    let Some(old) = old else {
        return new.entities.iter().map(|e| e.id.clone()).collect();
    };
    let fingerprint = |f: &FileData| -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &f.entities {
            m.entry(e.id.clone()).or_default().push(format!(
                "{:?}|{:?}|{:?}|{:?}",
                e.kind,
                e.name,
                e.aliases,
                e.properties
                    .iter()
                    .map(|p| (&p.key, &p.value))
                    .collect::<Vec<_>>()
            ));
        }
        m
    };
    let new_fp = fingerprint(new);
    let old_fp = fingerprint(old);
    let mut out = BTreeSet::new();
    for (id, fp) in &new_fp {
        if old_fp.get(id) != Some(fp) {
            out.insert(id.clone());
        }
    }
    for id in old_fp.keys() {
        if !new_fp.contains_key(id) {
            out.insert(id.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws() -> (Workspace, FileId, FileId, FileId) {
        let mut ws = Workspace::new(Config::default());
        let reg = ws.set_file("/reg.nmk", "@a: person \"Ann\"\n\n@b: org \"Bee\"\n".into());
        let one = ws.set_file("/one.nmk", "Hello @a.\n".into());
        let two = ws.set_file("/two.nmk", "Also @a.\n".into());
        (ws, reg.file.unwrap(), one.file.unwrap(), two.file.unwrap())
    }

    #[test]
    fn an_edit_that_keeps_its_references_affects_only_itself() {
        let (mut ws, _, one, _) = ws();
        let c = ws.set_file("/one.nmk", "Hello again @a.\n".into());
        assert!(c.ids.is_empty() && c.uses.is_empty(), "{c:?}");
        assert_eq!(ws.affected(&c), BTreeSet::from([one]));
    }

    #[test]
    fn new_or_dropped_references_affect_the_definers_not_other_users() {
        let (mut ws, reg, one, two) = ws();
        let c = ws.set_file("/one.nmk", "Hello @a and @b.\n".into());
        assert!(c.ids.is_empty());
        assert_eq!(c.uses, BTreeSet::from(["b".to_string()]));
        assert_eq!(ws.affected(&c), BTreeSet::from([reg, one]));
        assert_eq!(ws.users("b").collect::<Vec<_>>(), vec![one]);
        let c = ws.set_file("/one.nmk", "Hello.\n".into());
        assert_eq!(c.uses, BTreeSet::from(["a".to_string(), "b".to_string()]));
        assert_eq!(ws.users("a").collect::<Vec<_>>(), vec![two]);
        assert_eq!(ws.users("b").count(), 0);
    }

    #[test]
    fn changed_definitions_affect_definers_and_users() {
        let (mut ws, reg, one, two) = ws();
        let c = ws.set_file(
            "/reg.nmk",
            "@a: person \"Anna\"\n\n@b: org \"Bee\"\n".into(),
        );
        assert_eq!(c.ids, BTreeSet::from(["a".to_string()]));
        assert_eq!(ws.affected(&c), BTreeSet::from([reg, one, two]));
        let c = ws.remove_file("/two.nmk").unwrap();
        assert_eq!(c.uses, BTreeSet::from(["a".to_string()]));
        assert_eq!(ws.affected(&c), BTreeSet::from([reg, two]));
    }

    #[test]
    fn completion_caches_follow_definitions_and_references() {
        let (mut ws, ..) = ws();
        let ids = |ws: &Workspace| -> Vec<(String, String, u32)> {
            ws.id_summaries()
                .iter()
                .zip(ws.user_counts())
                .map(|(s, n)| (s.id.clone(), s.filter_text.clone(), *n))
                .collect()
        };
        assert_eq!(
            ids(&ws),
            [
                ("a".into(), "a Ann".into(), 2),
                ("b".into(), "b Bee".into(), 0)
            ]
        );
        ws.set_file("/one.nmk", "Hello @b.\n".into());
        assert_eq!(
            ids(&ws),
            [
                ("a".into(), "a Ann".into(), 1),
                ("b".into(), "b Bee".into(), 1)
            ]
        );
        ws.set_file("/reg.nmk", "@b: org \"Bees\"\n  aka: Hive\n".into());
        assert_eq!(ids(&ws), [("b".into(), "b Bees Hive".into(), 1)]);
    }
}
