//! The workspace: every file's [`FileData`] plus an index from IDs to their definitions and to
//! the files that reference them. Updating one file touches only the index entries of its IDs
//! and reports which IDs changed, so a server re-checks just the files that depend on them.

use super::entity::Entity;
use super::file::FileData;
use crate::config::Config;
use crate::syntax::ParseOptions;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

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

/// What an update changed: IDs whose definitions or whose set of referencing files changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    pub file: Option<FileId>,
    pub ids: BTreeSet<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    config: Arc<Config>,
    keys: Vec<String>,
    by_key: HashMap<String, FileId>,
    files: BTreeMap<FileId, Arc<FileData>>,
    /// ID → every definition, in (file, index) order.
    defs: HashMap<String, Vec<EntityRef>>,
    /// ID → the files that reference it.
    users: HashMap<String, BTreeSet<FileId>>,
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
        let mut change = self.unindex(id, old.as_deref());
        let added = self.index(id, &data);
        change.ids.extend(changed_ids(old.as_deref(), &data));
        change.ids.extend(added);
        change.file = Some(id);
        change
    }

    pub fn remove_file(&mut self, key: &str) -> Option<Change> {
        let id = self.file_id(key)?;
        let old = self.files.remove(&id)?;
        let mut change = self.unindex(id, Some(&old));
        change.ids.extend(old.entities.iter().map(|e| e.id.clone()));
        change.file = Some(id);
        Some(change)
    }

    /// Remove a file's index entries; returns IDs that lost their last user.
    fn unindex(&mut self, id: FileId, old: Option<&FileData>) -> Change {
        let mut change = Change::default();
        let Some(old) = old else { return change };
        for e in old.defined_ids() {
            if let Some(v) = self.defs.get_mut(e) {
                v.retain(|r| r.file != id);
                if v.is_empty() {
                    self.defs.remove(e);
                }
            }
        }
        for r in old.referenced_ids() {
            if let Some(set) = self.users.get_mut(r) {
                set.remove(&id);
                change.ids.insert(r.to_string());
                if set.is_empty() {
                    self.users.remove(r);
                }
            }
        }
        change
    }

    /// Add a file's index entries; returns the IDs it references.
    fn index(&mut self, id: FileId, data: &FileData) -> BTreeSet<String> {
        for (index, e) in data.entities.iter().enumerate() {
            let v = self.defs.entry(e.id.clone()).or_default();
            v.push(EntityRef { file: id, index });
            // Files are mostly added in id order: sort only when that order is broken, so that
            // adding n files that define one ID stays linear.
            if v.len() > 1 && v[v.len() - 2] > v[v.len() - 1] {
                v.sort();
            }
        }
        let mut ids = BTreeSet::new();
        for r in data.referenced_ids() {
            self.users.entry(r.to_string()).or_default().insert(id);
            ids.insert(r.to_string());
        }
        ids
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
            .map_or(0, |s| s.len() - usize::from(s.contains(&file)))
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
    let old_fp = old.map(fingerprint).unwrap_or_default();
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
