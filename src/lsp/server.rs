//! The `LanguageServer` implementation: lifecycle, documents, diagnostics, workspace indexing,
//! watched files and configuration. Feature requests are converted in [`super::features`].

use super::docs::DocSnapshot;
use super::engine::{Analyzed, Engine, Unavailable, MAX_ANALYSED_BYTES};
use super::features::{self, Ctx, LineCache};
use super::ordered::{request_arrival, request_snapshot, Arrival};
use super::output::Output;
use super::pos::Encoding;
use super::{key_of, uri_of};
use crate::analysis::{FileData, FileId};
use crate::config::Config;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// Under fast typing, wait for this much quiet before re-analysing a document that changed while
/// it was being analysed...
const DEBOUNCE: Duration = Duration::from_millis(75);
/// ...but never longer than this.
const DEBOUNCE_MAX: Duration = Duration::from_millis(150);
/// How long a request waits for requests sent against an older text of a document before it
/// moves the workspace's copy past that text. They take microseconds, but the whole process can
/// stall for tens of milliseconds on a busy machine (a 60 s load run with a 10 ms bound had 5
/// `ContentModified` around a 58 ms stall); a stuck one must still not hold the others up for
/// long.
const OLDER_REQUESTS_WAIT: Duration = Duration::from_millis(250);

/// What the client can do, read once from `initialize`.
#[derive(Debug, Default, Clone)]
pub struct ClientCaps {
    pub work_done_progress: bool,
    pub watch_dynamic: bool,
    pub pull_diagnostics: bool,
    pub related_information: bool,
    pub configuration: bool,
    pub markdown_hover: bool,
}

#[derive(Default)]
struct ConfigState {
    /// The workspace root's `newsmark.toml`, when there is one.
    toml_path: Option<PathBuf>,
    /// The last `newsmark.toml` that parsed.
    toml: Option<Config>,
    init_options: Option<Value>,
    settings: Option<Value>,
    /// The configuration in force (the last good one).
    effective: Config,
}

/// Keeps a request counted in [`Shared::pending`] while it lives.
pub struct PendingGuard {
    shared: Arc<Shared>,
    key: String,
    gen: u64,
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        let mut p = lock(&self.shared.pending);
        if let Some(gens) = p.get_mut(&self.key) {
            if let Some(n) = gens.get_mut(&self.gen) {
                *n -= 1;
                if *n == 0 {
                    gens.remove(&self.gen);
                }
            }
            if gens.is_empty() {
                p.remove(&self.key);
            }
        }
    }
}

/// What was last published for a document.
struct Published {
    stamp: (u64, u64, u64),
    version: Option<i32>,
    diagnostics: Vec<Diagnostic>,
}

pub struct Shared {
    pub client: Client,
    pub engine: Engine,
    /// Line indexes of workspace files, for positions in other files than a request's.
    lines: LineCache,
    encoding: OnceLock<Encoding>,
    caps: OnceLock<ClientCaps>,
    roots: Mutex<Vec<PathBuf>>,
    config: Mutex<ConfigState>,
    /// One wake-up per open document's diagnostics task.
    tasks: Mutex<HashMap<String, Arc<Notify>>>,
    /// Per document, the stamp, version and content of the last published diagnostics: never
    /// publish older ones, and do not send the same list for the same version twice.
    published: tokio::sync::Mutex<HashMap<String, Published>>,
    pub shutdown: AtomicBool,
    indexed: AtomicBool,
    /// The output, for answers written without the router (see `ordered`); unset when the
    /// service runs without [`super::serve`].
    pub out: OnceLock<Arc<Output>>,
    /// The threads that answer position requests (see `ordered`); set with `out`.
    pub pool: OnceLock<Arc<super::workers::Pool>>,
    /// Per open document, how many requests are being answered for each generation of its
    /// text (see [`Shared::pending`]).
    pending: Mutex<HashMap<String, BTreeMap<u64, usize>>>,
    /// [`OLDER_REQUESTS_WAIT`] in microseconds (tests lengthen it so as not to depend on timing).
    older_requests_wait_us: AtomicU64,
    /// Messages the reading thread passed on to the router that `Ordered::call` has not yet
    /// taken in (see [`super::ordered::Intake`]): while any is on its way, the reading thread
    /// leaves position requests to the router too, so they are handled in wire order.
    pub in_transit: AtomicU64,
    /// `initialized` has been taken in and `shutdown` has not: position requests may skip the
    /// router (set by `Ordered::call`, in wire order).
    pub fast_path_open: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    /// Whether `initialize` has been handled.
    pub fn initialize_ran(&self) -> bool {
        self.caps.get().is_some()
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.get().cloned().unwrap_or_default()
    }

    /// Run a feature on the file a request names, off the async runtime, under one consistent
    /// view of the workspace. `Ok(None)` for files the server does not know; `ContentModified`
    /// when the document changed after the request was sent.
    /// `arrival`: the open documents as the request found them.
    pub async fn on_file<T: Send + 'static>(
        self: &Arc<Self>,
        uri: &Uri,
        arrival: Arc<Arrival>,
        f: impl FnOnce(&Ctx<'_>) -> Result<T> + Send + 'static,
    ) -> Result<Option<T>> {
        let key = key_of(uri);
        let s = self.clone();
        let (res, deps) = tokio::task::spawn_blocking(move || s.file_request(&key, &arrival, f))
            .await
            .map_err(|_| Error::internal_error())?;
        self.kick_dependents(&deps);
        res
    }

    /// The synchronous part of [`Shared::on_file`] (run it off the async runtime); also returns
    /// the files whose analysis the syncs invalidated (see [`Shared::kick_dependents`]).
    pub fn file_request<T>(
        &self,
        key: &str,
        arrival: &Arrival,
        f: impl FnOnce(&Ctx<'_>) -> Result<T>,
    ) -> (Result<Option<T>>, BTreeSet<FileId>) {
        // Every open document's edits that arrived before this request are in the workspace
        // before it is answered: a hover in one file right after an edit or `didOpen` of
        // another sees that other file's definitions (wire order across documents). Each is
        // brought to the text it had when the request arrived, not past it (later edits are
        // for later requests), so that requests queued before an edit are still answered for
        // their own text; documents already in sync cost one comparison each. The request's
        // own document is synced in `with_file`.
        let mut deps = BTreeSet::new();
        for (k, at) in arrival.open.iter() {
            if k != key {
                self.let_older_requests_finish(k, at.gen);
                deps.extend(self.engine.sync_to(k, Some(at)));
            }
        }
        if let Some(at) = &arrival.doc {
            self.let_older_requests_finish(key, at.gen);
        }
        let caps = self.caps();
        let enc = self.encoding();
        let out = self.engine.with_file(key, arrival.doc.as_ref(), |w, a| {
            f(&Ctx::new(w, a, &self.engine, enc, &caps, &self.lines))
        });
        let res = match out {
            Ok((v, d)) => {
                deps.extend(d);
                v.map(Some)
            }
            Err(Unavailable::ContentModified) => Err(Error::content_modified()),
            Err(Unavailable::UnknownFile) => Ok(None),
        };
        (res, deps)
    }

    /// Re-analyse the open documents among files a sync invalidated.
    pub fn kick_dependents(self: &Arc<Self>, deps: &BTreeSet<FileId>) {
        let keys = self.engine.open_keys(deps);
        self.kick_all(keys);
    }

    // ---- Called from `Ordered::call`, in wire order, synchronously. ----

    pub fn on_open(self: &Arc<Self>, p: DidOpenTextDocumentParams) {
        let key = key_of(&p.text_document.uri);
        self.warn_if_too_large(&key, 0, p.text_document.text.len());
        self.engine.docs().open(
            &key,
            p.text_document.uri,
            &p.text_document.text,
            p.text_document.version,
        );
        self.kick(&key, true);
    }

    pub fn on_change(self: &Arc<Self>, p: DidChangeTextDocumentParams) {
        let key = key_of(&p.text_document.uri);
        let enc = self.encoding();
        let before = self
            .engine
            .docs()
            .get(&key)
            .map_or(0, |d| d.rope.len_bytes());
        let changed =
            self.engine
                .docs()
                .change(&key, p.text_document.version, &p.content_changes, enc);
        let after = self
            .engine
            .docs()
            .get(&key)
            .map_or(0, |d| d.rope.len_bytes());
        self.warn_if_too_large(&key, before, after);
        if changed.is_some() {
            self.kick(&key, false);
        }
    }

    pub fn on_close(self: &Arc<Self>, p: DidCloseTextDocumentParams) {
        let key = key_of(&p.text_document.uri);
        if self.engine.docs().close(&key).is_some() {
            if let Some(n) = lock(&self.tasks).remove(&key) {
                n.notify_one();
            }
            let s = self.clone();
            tokio::spawn(async move { s.after_close(key).await });
        }
    }

    /// Tell the user when a document grows past the analysis limit (once per crossing).
    fn warn_if_too_large(&self, key: &str, before: usize, after: usize) {
        if after > MAX_ANALYSED_BYTES && before <= MAX_ANALYSED_BYTES {
            let msg = format!(
                "newsmark: {key} is {}; it is not analysed (no diagnostics or features) until it is smaller",
                too_large(after)
            );
            eprintln!("{msg}");
            let c = self.client.clone();
            tokio::spawn(async move { c.show_message(MessageType::WARNING, msg).await });
        }
    }

    /// The key and current state of the open document `uri` names.
    pub fn snapshot(&self, uri: &str) -> Option<(String, DocSnapshot)> {
        let uri: Uri = uri.parse().ok()?;
        let key = key_of(&uri);
        let snap = self.engine.docs().snapshot(&key)?;
        Some((key, snap))
    }

    /// Count a request sent against generation `gen` of an open document until the returned
    /// guard is dropped (when it is answered).
    pub fn pending(self: &Arc<Self>, key: String, gen: u64) -> PendingGuard {
        {
            let mut p = lock(&self.pending);
            // The key is copied only when the document has no request pending (every request
            // comes here; under load its document nearly always has some).
            let gens = match p.get_mut(&key) {
                Some(gens) => gens,
                None => p.entry(key.clone()).or_default(),
            };
            *gens.entry(gen).or_default() += 1;
        }
        PendingGuard {
            shared: self.clone(),
            key,
            gen,
        }
    }

    /// Before the workspace's copy of `key` moves forward to generation `gen`, let requests sent
    /// against an older text of it finish, briefly: once it has moved past their text they can
    /// only be answered `ContentModified`. Under load, a request on one document that syncs an
    /// edited one used to overtake a request on the edited one still on its way to its answer.
    fn let_older_requests_finish(&self, key: &str, gen: u64) {
        if !self.engine.behind(key, gen) {
            return;
        }
        let started = Instant::now();
        let wait = Duration::from_micros(self.older_requests_wait_us.load(Ordering::Relaxed));
        while self.pending_before(key, gen) && started.elapsed() < wait {
            // The requests waited for may be queued on the pool behind this one: run queued
            // jobs here rather than only sleep, so that the wait cannot hold up the pool.
            if !self.pool.get().is_some_and(|p| p.run_one()) {
                std::thread::sleep(Duration::from_micros(20));
            }
        }
    }

    /// Whether a request sent against a text of `key` older than generation `gen` is still
    /// being answered.
    fn pending_before(&self, key: &str, gen: u64) -> bool {
        lock(&self.pending)
            .get(key)
            .and_then(|g| g.keys().next())
            .is_some_and(|&oldest| oldest < gen)
    }

    /// Wake (or start) the diagnostics task of an open document.
    fn kick(self: &Arc<Self>, key: &str, start: bool) {
        let mut tasks = lock(&self.tasks);
        if let Some(n) = tasks.get(key) {
            n.notify_one();
            return;
        }
        if !start && !self.engine.docs().is_open(key) {
            return;
        }
        let n = Arc::new(Notify::new());
        tasks.insert(key.to_string(), n.clone());
        n.notify_one();
        let s = self.clone();
        let key = key.to_string();
        tokio::spawn(async move { s.doc_loop(key, n).await });
    }

    fn kick_all(self: &Arc<Self>, keys: impl IntoIterator<Item = String>) {
        for k in keys {
            self.kick(&k, false);
        }
    }

    /// Re-analyses one open document whenever woken, publishing its diagnostics in order.
    async fn doc_loop(self: Arc<Self>, key: String, wake: Arc<Notify>) {
        let mut coalesce = false;
        loop {
            wake.notified().await;
            let still_ours = lock(&self.tasks)
                .get(&key)
                .is_some_and(|n| Arc::ptr_eq(n, &wake));
            if !still_ours {
                return;
            }
            if coalesce {
                // The document changed while it was being analysed: the user is typing. Wait
                // for a pause rather than analysing every keystroke.
                let started = Instant::now();
                loop {
                    let last = match self.engine.docs().get(&key) {
                        Some(d) => d.last_edit,
                        None => break,
                    };
                    let quiet = last.elapsed();
                    if quiet >= DEBOUNCE || started.elapsed() >= DEBOUNCE_MAX {
                        break;
                    }
                    tokio::time::sleep(DEBOUNCE - quiet).await;
                }
            }
            // Requests sent against the text before the latest edit are answered for that
            // text: analysing the newer one first would replace it and leave them only
            // `ContentModified`. Wait for them, briefly.
            let waiting = Instant::now();
            loop {
                let gen = self.engine.docs().get(&key).map(|d| d.gen);
                let Some(gen) = gen else { break };
                if !self.pending_before(&key, gen) || waiting.elapsed() >= DEBOUNCE_MAX {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let started = Instant::now();
            let s = self.clone();
            let k = key.clone();
            let push = !self.caps().pull_diagnostics;
            let result = tokio::task::spawn_blocking(move || {
                let caps = s.caps();
                s.engine.with_file(&k, None, |w, a| {
                    let diags = push.then(|| {
                        features::diagnostics(&Ctx::new(
                            w,
                            a,
                            &s.engine,
                            s.encoding(),
                            &caps,
                            &s.lines,
                        ))
                    });
                    (a.clone(), diags)
                })
            })
            .await;
            let Ok(Ok(((analyzed, diags), deps))) = result else {
                continue;
            };
            // Edits that arrived while this analysis ran mean the user types faster than we
            // analyse: coalesce the next ones.
            coalesce = self
                .engine
                .docs()
                .get(&key)
                .is_some_and(|d| d.last_edit > started);
            let dependents = self.engine.open_keys(&deps);
            self.kick_all(dependents);
            if let Some(diags) = diags {
                self.publish(&analyzed, diags).await;
            }
        }
    }

    async fn publish(&self, a: &Analyzed, diags: Vec<Diagnostic>) {
        let Some(uri) = self.engine.docs().get(&a.key).map(|d| d.uri.clone()) else {
            return;
        };
        let mut published = self.published.lock().await;
        if let Some(last) = published.get(&a.key) {
            if last.stamp > a.stamp() || (last.version == a.version && last.diagnostics == diags) {
                return;
            }
        }
        published.insert(
            a.key.clone(),
            Published {
                stamp: a.stamp(),
                version: a.version,
                diagnostics: diags.clone(),
            },
        );
        self.client.publish_diagnostics(uri, diags, a.version).await;
    }

    /// A closed document: clear its diagnostics and let the disk's copy take its place.
    async fn after_close(self: Arc<Self>, key: String) {
        if let Some(uri) = uri_of(&key) {
            let mut published = self.published.lock().await;
            if !self.engine.docs().is_open(&key) {
                published.remove(&key);
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
        let s = self.clone();
        let k = key.clone();
        let deps = tokio::task::spawn_blocking(move || {
            let path = Path::new(&k);
            let disk = if path.is_absolute() {
                read_nmk(path).ok()
            } else {
                None
            };
            let opts = s.engine.read().ws.parse_options();
            let data = disk.map(|t| Arc::new(FileData::indexed(t, &opts)));
            let mut w = s.engine.write();
            if s.engine.docs().is_open(&k) {
                return BTreeSet::new();
            }
            w.synced.remove(&k);
            match data {
                Some(d) => w.insert(&k, d),
                None => {
                    let id = w.ws.file_id(&k);
                    let deps = w.remove(&k);
                    if let Some(id) = id {
                        s.engine.drop_cache(id);
                    }
                    deps
                }
            }
        })
        .await
        .unwrap_or_default();
        let keys = self.engine.open_keys(&deps);
        self.kick_all(keys);
    }

    // ---- Configuration ----

    /// Recompute the configuration; on an error, tell the user and keep the last good one.
    async fn reload_config(self: &Arc<Self>, reread_toml: bool) {
        let mut problems = Vec::new();
        let changed = {
            let mut st = lock(&self.config);
            if reread_toml {
                if let Some(path) = st.toml_path.clone() {
                    match std::fs::read_to_string(&path) {
                        Ok(text) => match Config::from_toml(&text) {
                            Ok(c) => st.toml = Some(c),
                            Err(e) => problems.push(format!(
                                "{}:{}: {}; the previous configuration stays in force",
                                path.display(),
                                error_line(&text, &e).map_or(String::new(), |l| l.to_string()),
                                e.message
                            )),
                        },
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => st.toml = None,
                        Err(e) => problems.push(format!("{}: cannot read: {e}", path.display())),
                    }
                }
            }
            let mut config = st.toml.clone().unwrap_or_default();
            let mut ok = true;
            for (what, v) in [
                ("initializationOptions", &st.init_options),
                ("settings", &st.settings),
            ] {
                let Some(v) = v else { continue };
                match config.overlay_json(v) {
                    Ok(c) => config = c,
                    Err(e) => {
                        problems.push(format!(
                            "newsmark {what}: {}; the previous configuration stays in force",
                            e.message
                        ));
                        ok = false;
                    }
                }
            }
            if ok && config != st.effective {
                st.effective = config.clone();
                Some(config)
            } else {
                None
            }
        };
        for p in problems {
            self.client.show_message(MessageType::ERROR, p).await;
        }
        if let Some(config) = changed {
            let s = self.clone();
            let _ = tokio::task::spawn_blocking(move || s.engine.write().set_config(config)).await;
            let keys: Vec<String> = self.engine.docs().keys().cloned().collect();
            self.kick_all(keys);
            self.refresh_pull().await;
        }
    }

    /// Ask a pull-diagnostics client to pull again (definitions elsewhere changed).
    async fn refresh_pull(&self) {
        let caps = self.caps();
        if caps.pull_diagnostics {
            let c = self.client.clone();
            tokio::spawn(async move { c.workspace_diagnostic_refresh().await });
        }
    }

    // ---- Workspace files ----

    async fn index_workspace(self: Arc<Self>) {
        let roots = lock(&self.roots).clone();
        let progress = if self.caps().work_done_progress {
            let token = NumberOrString::String("newsmark/index".into());
            match self.client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(
                    self.client
                        .progress(token, "Indexing newsmark files")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(_) => None,
            }
        } else {
            None
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let s = self.clone();
        let failures = Arc::new(Mutex::new(Vec::new()));
        let f = failures.clone();
        let job = tokio::task::spawn_blocking(move || index_files(&s, &roots, &tx, &f));
        while let Some((done, total)) = rx.recv().await {
            if let Some(p) = &progress {
                let pct = (done * 100).checked_div(total).unwrap_or(100) as u32;
                p.report_with_message(format!("{done}/{total} files"), pct)
                    .await;
            }
        }
        let count = job.await.unwrap_or_default();
        report_unreadable(&self.client, std::mem::take(&mut *lock(&failures)));
        self.indexed.store(true, Ordering::SeqCst);
        if let Some(p) = progress {
            p.finish_with_message(format!("Indexed {count} files"))
                .await;
        }
        let keys: Vec<String> = self.engine.docs().keys().cloned().collect();
        self.kick_all(keys);
        self.refresh_pull().await;
    }

    /// Apply a created, changed or deleted file from disk (open documents win over the disk).
    async fn disk_changed(self: &Arc<Self>, paths: Vec<PathBuf>) {
        let mut config = false;
        let mut nmk = Vec::new();
        for p in paths {
            if p.file_name().is_some_and(|n| n == "newsmark.toml") {
                config = true;
            } else {
                nmk.push(p);
            }
        }
        if config {
            self.reload_config(true).await;
        }
        if nmk.is_empty() {
            return;
        }
        let s = self.clone();
        let roots = lock(&self.roots).clone();
        let (deps, failures) = tokio::task::spawn_blocking(move || {
            let mut deps = BTreeSet::new();
            let mut failures = Vec::new();
            let opts = s.engine.read().ws.parse_options();
            for path in nmk {
                let key = path.display().to_string();
                let is_nmk = path.extension().is_some_and(|e| e == "nmk");
                let data = if is_nmk && inside_roots(&path, &roots) {
                    match read_nmk(&path) {
                        Ok(t) => Some(Arc::new(FileData::indexed(t, &opts))),
                        Err(e) => {
                            if e.kind() != std::io::ErrorKind::NotFound {
                                failures.push((path.clone(), e.to_string()));
                            }
                            None
                        }
                    }
                } else {
                    None
                };
                let mut w = s.engine.write();
                let open = s.engine.docs();
                match data {
                    Some(d) if !open.is_open(&key) => {
                        drop(open);
                        deps.extend(w.insert(&key, d));
                    }
                    Some(_) => {}
                    None => {
                        // A deleted file, or a deleted folder: drop what was under it.
                        let prefix = format!("{key}/");
                        let gone: Vec<(String, FileId)> =
                            w.ws.files()
                                .map(|(id, _)| (w.ws.key(id).to_string(), id))
                                .filter(|(k, _)| {
                                    (*k == key || k.starts_with(&prefix)) && !open.is_open(k)
                                })
                                .collect();
                        drop(open);
                        for (k, id) in gone {
                            deps.extend(w.remove(&k));
                            s.engine.drop_cache(id);
                        }
                    }
                }
            }
            (deps, failures)
        })
        .await
        .unwrap_or_default();
        report_unreadable(&self.client, failures);
        let keys = self.engine.open_keys(&deps);
        self.kick_all(keys);
        if !deps.is_empty() {
            self.refresh_pull().await;
        }
    }

    async fn register_watchers(self: Arc<Self>) {
        let watchers = ["**/*.nmk", "**/newsmark.toml"]
            .into_iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.into()),
                kind: None,
            })
            .collect();
        let reg = Registration {
            id: "newsmark-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        if self.client.register_capability(vec![reg]).await.is_err() {
            self.watch_with_notify();
        }
    }

    /// The client cannot watch files for us (Neovim on Linux): watch the folders ourselves.
    fn watch_with_notify(self: &Arc<Self>) {
        use notify::{RecursiveMode, Watcher};
        let roots = lock(&self.roots).clone();
        if roots.is_empty() {
            return;
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
        // Links are not followed: they could lead out of the workspace.
        let config = notify::Config::default().with_follow_symlinks(false);
        let watcher = notify::RecommendedWatcher::new(
            move |ev: notify::Result<notify::Event>| {
                if let Ok(ev) = ev {
                    if ev.need_rescan() {
                        // Events were lost (the kernel's queue overflowed when thousands of
                        // files changed at once): an empty list asks for a full rescan.
                        let _ = tx.send(Vec::new());
                    } else if !ev.kind.is_access() {
                        let _ = tx.send(ev.paths);
                    }
                }
            },
            config,
        );
        let mut watcher = match watcher {
            Ok(w) => w,
            Err(e) => {
                let c = self.client.clone();
                tokio::spawn(async move {
                    c.log_message(MessageType::WARNING, format!("cannot watch files: {e}"))
                        .await
                });
                return;
            }
        };
        for r in &roots {
            let _ = watcher.watch(r, RecursiveMode::Recursive);
        }
        let s = self.clone();
        tokio::spawn(async move {
            let _keep = watcher;
            while let Some(mut paths) = rx.recv().await {
                let mut rescan = paths.is_empty();
                while let Ok(more) = rx.try_recv() {
                    rescan |= more.is_empty();
                    paths.extend(more);
                }
                if rescan {
                    // Every file on disk, and every indexed file (to drop the deleted ones).
                    let s2 = s.clone();
                    let roots = roots.clone();
                    paths = tokio::task::spawn_blocking(move || {
                        let mut all = walk(&roots);
                        let w = s2.engine.read();
                        all.extend(
                            w.ws.files()
                                .map(|(id, _)| PathBuf::from(w.ws.key(id)))
                                .filter(|p| p.is_absolute() && !p.exists()),
                        );
                        all
                    })
                    .await
                    .unwrap_or_default();
                }
                // A folder that appears: files created in it before the watcher saw the folder
                // raised no events of their own (the inotify race), so read what it holds.
                let dirs: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
                if !dirs.is_empty() {
                    let found = tokio::task::spawn_blocking(move || walk(&dirs))
                        .await
                        .unwrap_or_default();
                    paths.extend(found);
                }
                paths.sort();
                paths.dedup();
                let relevant: Vec<PathBuf> = paths
                    .into_iter()
                    .filter(|p| {
                        p.extension().is_some_and(|e| e == "nmk")
                            || p.file_name().is_some_and(|n| n == "newsmark.toml")
                            || !p.exists()
                    })
                    .collect();
                if !relevant.is_empty() {
                    s.disk_changed(relevant).await;
                }
            }
        });
    }
}

/// The line of a configuration error: the line of the key it names when there is one (an error
/// inside a table is reported at the table's header otherwise), else the parser's line.
fn error_line(text: &str, e: &crate::config::ConfigError) -> Option<usize> {
    let key = e.message.split('`').nth(1).filter(|k| !k.is_empty());
    let from = e.line.unwrap_or(1);
    key.and_then(|k| {
        text.lines().enumerate().skip(from - 1).find_map(|(i, l)| {
            let l = l.trim_start();
            let rest = l
                .strip_prefix(k)
                .or_else(|| l.strip_prefix(&format!("\"{k}\"")))?;
            rest.trim_start().starts_with('=').then_some(i + 1)
        })
    })
    .or(e.line)
}

/// Read a file as UTF-8: an error that says why not (too large for analysis, not UTF-8, or
/// the system's reason). The size is checked before reading.
fn read_nmk(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind};
    let len = std::fs::metadata(path)?.len();
    if len > MAX_ANALYSED_BYTES as u64 {
        return Err(Error::new(ErrorKind::InvalidData, too_large(len as usize)));
    }
    let bytes = std::fs::read(path)?;
    String::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn too_large(len: usize) -> String {
    format!(
        "{:.1} MB, over the {} MiB limit for analysis",
        len as f64 / 1e6,
        MAX_ANALYSED_BYTES >> 20
    )
}

/// Files the server could not read, reported to the client in one message.
fn report_unreadable(client: &Client, failures: Vec<(PathBuf, String)>) {
    if failures.is_empty() {
        return;
    }
    const SHOWN: usize = 20;
    let mut msg = format!(
        "newsmark: {} file(s) could not be read and are left out of the workspace:",
        failures.len()
    );
    for (path, why) in failures.iter().take(SHOWN) {
        msg.push_str(&format!("\n  {}: {why}", path.display()));
    }
    if failures.len() > SHOWN {
        msg.push_str(&format!("\n  … and {} more", failures.len() - SHOWN));
    }
    let c = client.clone();
    tokio::spawn(async move { c.log_message(MessageType::WARNING, msg).await });
}

/// A disk path the server may read: a regular file (not a symlink) inside a workspace root,
/// after resolving every link on the way. Links never lead the server out of the workspace.
fn inside_roots(path: &Path, roots: &[PathBuf]) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.file_type().is_file() {
        return false;
    }
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .any(|r| real.starts_with(r))
}

/// Every `.nmk` file under the roots (hidden folders skipped).
fn walk(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for r in roots {
        let it = walkdir::WalkDir::new(r)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
            });
        for e in it.flatten() {
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "nmk") {
                out.push(e.into_path());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Parse every workspace file on all cores and insert them in batches, so that requests on open
/// documents wait for at most one batch. Returns the number of files.
fn index_files(
    s: &Shared,
    roots: &[PathBuf],
    progress: &tokio::sync::mpsc::UnboundedSender<(usize, usize)>,
    failures: &Mutex<Vec<(PathBuf, String)>>,
) -> usize {
    let files = walk(roots);
    let total = files.len();
    let _ = progress.send((0, total));
    let opts = s.engine.read().ws.parse_options();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(String, Arc<FileData>)>(1024);
    let mut done = 0;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (files, next, opts) = (&files, &next, &opts);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                match read_nmk(path) {
                    Ok(text) => {
                        let data = Arc::new(FileData::indexed(text, opts));
                        if tx.send((path.display().to_string(), data)).is_err() {
                            break;
                        }
                    }
                    // Deleted since the walk: nothing to report.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => lock(failures).push((path.clone(), e.to_string())),
                }
            });
        }
        drop(tx);
        let mut last_report = 0;
        let mut batch = Vec::with_capacity(256);
        let flush = |batch: &mut Vec<(String, Arc<FileData>)>, done: &mut usize| {
            let mut w = s.engine.write();
            let docs = s.engine.docs();
            for (key, data) in batch.drain(..) {
                *done += 1;
                if !docs.is_open(&key) {
                    w.insert_bulk(&key, data);
                }
            }
        };
        loop {
            let first = rx.recv();
            let Ok(item) = first else { break };
            batch.push(item);
            while batch.len() < 256 {
                match rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            flush(&mut batch, &mut done);
            if done - last_report >= (total / 10).max(1) {
                last_report = done;
                let _ = progress.send((done, total));
            }
        }
    });
    s.engine.write().invalidate_all();
    let _ = progress.send((done, total));
    done
}

fn client_caps(p: &InitializeParams) -> ClientCaps {
    let c = &p.capabilities;
    let td = c.text_document.as_ref();
    let ws = c.workspace.as_ref();
    ClientCaps {
        work_done_progress: c
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        watch_dynamic: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        // Pull only when the client can also be told to pull again after a change elsewhere
        // (Neovim 0.11 pulls but cannot be refreshed: it gets pushed diagnostics instead).
        pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some()
            && ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
        related_information: td
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|d| d.related_information)
            .unwrap_or(false)
            || td.and_then(|t| t.diagnostic.as_ref()).is_some(),
        configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
        markdown_hover: td
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_none_or(|f| f.contains(&MarkupKind::Markdown)),
    }
}

fn negotiate_encoding(p: &InitializeParams) -> Encoding {
    let offered = p
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

#[allow(deprecated)]
fn workspace_roots(p: &InitializeParams) -> Vec<PathBuf> {
    let uris: Vec<Uri> = match &p.workspace_folders {
        Some(f) if !f.is_empty() => f.iter().map(|f| f.uri.clone()).collect(),
        _ => p.root_uri.iter().cloned().collect(),
    };
    uris.iter()
        .filter(|u| u.scheme().as_str() == "file")
        .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
        .collect()
}

pub struct Backend {
    pub shared: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            shared: Arc::new(Shared {
                client,
                engine: Engine::default(),
                lines: LineCache::default(),
                encoding: OnceLock::new(),
                caps: OnceLock::new(),
                roots: Mutex::new(Vec::new()),
                config: Mutex::new(ConfigState::default()),
                tasks: Mutex::new(HashMap::new()),
                published: tokio::sync::Mutex::new(HashMap::new()),
                shutdown: AtomicBool::new(false),
                indexed: AtomicBool::new(false),
                out: OnceLock::new(),
                pool: OnceLock::new(),
                pending: Mutex::new(HashMap::new()),
                older_requests_wait_us: AtomicU64::new(OLDER_REQUESTS_WAIT.as_micros() as u64),
                in_transit: AtomicU64::new(0),
                fast_path_open: AtomicBool::new(false),
            }),
        }
    }

    /// Run a feature on the file a request names (see [`Shared::on_file`]).
    pub async fn on_file<T: Send + 'static>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Ctx<'_>) -> Result<T> + Send + 'static,
    ) -> Result<Option<T>> {
        self.shared.on_file(uri, request_arrival(), f).await
    }

    /// `newsmark/documentText`: the server's copy of an open document, for tests and debugging.
    pub async fn document_text(&self, p: DocumentTextParams) -> Result<Value> {
        let key = key_of(&p.text_document.uri);
        // Only open documents: the snapshot is taken when the request arrives, in wire order.
        let Some(buffer) = request_snapshot().map(|b| b.rope.to_string()) else {
            return Err(Error::invalid_params(format!("{key} is not open")));
        };
        let found = self
            .on_file(&p.text_document.uri, |c| {
                Ok(serde_json::json!({ "version": c.a.version, "text": c.a.data.text }))
            })
            .await?;
        let Some(mut v) = found else {
            return Err(Error::invalid_params(format!("{key} is not open")));
        };
        v["bufferText"] = serde_json::json!(buffer);
        Ok(v)
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextParams {
    pub text_document: TextDocumentIdentifier,
}

impl LanguageServer for Backend {
    async fn initialize(&self, p: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate_encoding(&p);
        let _ = self.shared.encoding.set(enc);
        let caps = client_caps(&p);
        let pull = caps.pull_diagnostics;
        let _ = self.shared.caps.set(caps);
        let roots = workspace_roots(&p);
        {
            let mut st = lock(&self.shared.config);
            st.toml_path = roots
                .iter()
                .map(|r| r.join("newsmark.toml"))
                .find(|p| p.is_file())
                .or_else(|| roots.first().map(|r| r.join("newsmark.toml")));
            st.init_options = p.initialization_options.clone().map(unwrap_section);
        }
        *lock(&self.shared.roots) = roots;
        Ok(InitializeResult {
            capabilities: features::capabilities(enc, pull),
            server_info: Some(ServerInfo {
                name: "newsmark".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let s = self.shared.clone();
        tokio::spawn(async move {
            s.reload_config(true).await;
            let caps = s.caps();
            if caps.watch_dynamic {
                tokio::spawn(s.clone().register_watchers());
            } else {
                s.watch_with_notify();
            }
            s.index_workspace().await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    // Document state is applied in wire order by `Ordered`; nothing is left to do here.
    async fn did_open(&self, _: DidOpenTextDocumentParams) {}
    async fn did_change(&self, _: DidChangeTextDocumentParams) {}
    async fn did_close(&self, _: DidCloseTextDocumentParams) {}

    async fn did_change_configuration(&self, p: DidChangeConfigurationParams) {
        let s = self.shared.clone();
        let settings = if p.settings.is_null() {
            None
        } else {
            Some(unwrap_section(p.settings))
        };
        tokio::spawn(async move {
            let settings = match settings {
                Some(v) => Some(v),
                // Pull-style clients send no settings: ask for our section.
                None if s.caps().configuration => s
                    .client
                    .configuration(vec![ConfigurationItem {
                        scope_uri: None,
                        section: Some("newsmark".into()),
                    }])
                    .await
                    .ok()
                    .and_then(|mut v| v.pop())
                    .filter(|v| !v.is_null()),
                None => None,
            };
            lock(&s.config).settings = settings;
            s.reload_config(false).await;
        });
    }

    async fn did_change_watched_files(&self, p: DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = p
            .changes
            .iter()
            .filter(|c| c.uri.scheme().as_str() == "file")
            .filter_map(|c| c.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        let s = self.shared.clone();
        tokio::spawn(async move { s.disk_changed(paths).await });
    }

    async fn diagnostic(
        &self,
        p: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let prev = p.previous_result_id.clone();
        let found = self
            .on_file(&p.text_document.uri, move |c| {
                let id = c.a.result_id();
                let items =
                    (prev.as_deref() != Some(id.as_str())).then(|| features::diagnostics(c));
                Ok((id, items))
            })
            .await;
        let (id, items) = match found {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Ok(DocumentDiagnosticReportResult::Report(
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default()),
                ))
            }
            Err(e) if e.code == ErrorCode::ContentModified => {
                // Per LSP 3.17, the client re-pulls on ServerCancelled with retrigger.
                return Err(Error {
                    code: ErrorCode::ServerError(-32802),
                    message: "document changed; pull again".into(),
                    data: Some(serde_json::json!({ "retriggerRequest": true })),
                });
            }
            Err(e) => return Err(e),
        };
        let Some(items) = items else {
            return Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                }),
            ));
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            }),
        ))
    }

    async fn hover(&self, p: HoverParams) -> Result<Option<Hover>> {
        let pp = p.text_document_position_params;
        let pos = pp.position;
        Ok(self
            .on_file(&pp.text_document.uri, move |c| Ok(features::hover(c, pos)))
            .await?
            .flatten())
    }

    async fn goto_definition(
        &self,
        p: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let pp = p.text_document_position_params;
        let pos = pp.position;
        Ok(self
            .on_file(&pp.text_document.uri, move |c| {
                Ok(features::definition(c, pos))
            })
            .await?
            .flatten())
    }

    async fn references(&self, p: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pp = p.text_document_position;
        let (pos, decl) = (pp.position, p.context.include_declaration);
        self.on_file(&pp.text_document.uri, move |c| {
            Ok(features::references(c, pos, decl))
        })
        .await
    }

    async fn document_highlight(
        &self,
        p: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let pp = p.text_document_position_params;
        let pos = pp.position;
        self.on_file(&pp.text_document.uri, move |c| {
            Ok(features::highlights(c, pos))
        })
        .await
    }

    async fn prepare_rename(
        &self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let pos = p.position;
        Ok(self
            .on_file(&p.text_document.uri, move |c| {
                features::prepare_rename(c, pos)
            })
            .await?
            .flatten())
    }

    async fn rename(&self, p: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pp = p.text_document_position;
        let (pos, name) = (pp.position, p.new_name);
        self.on_file(&pp.text_document.uri, move |c| {
            features::rename(c, pos, &name)
        })
        .await
    }

    async fn completion(&self, p: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pp = p.text_document_position;
        let pos = pp.position;
        self.on_file(&pp.text_document.uri, move |c| {
            Ok(features::completion(c, pos))
        })
        .await
    }

    async fn document_symbol(
        &self,
        p: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.on_file(&p.text_document.uri, |c| Ok(features::document_symbols(c)))
            .await
    }

    async fn symbol(&self, p: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let s = self.shared.clone();
        let query = p.query;
        let out = tokio::task::spawn_blocking(move || {
            s.engine.sync_all();
            let w = s.engine.read();
            features::workspace_symbols(&w, s.encoding(), &s.lines, &query)
        })
        .await
        .map_err(|_| Error::internal_error())?;
        Ok(Some(WorkspaceSymbolResponse::Flat(out)))
    }

    async fn code_action(&self, p: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let (range, only) = (p.range, p.context.only);
        self.on_file(&p.text_document.uri, move |c| {
            Ok(features::code_actions(c, range, only.as_deref()))
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        p: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(self
            .on_file(&p.text_document.uri, |c| {
                Ok(features::semantic_tokens(c, None))
            })
            .await?
            .map(SemanticTokensResult::Tokens))
    }

    async fn semantic_tokens_range(
        &self,
        p: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let range = p.range;
        Ok(self
            .on_file(&p.text_document.uri, move |c| {
                Ok(features::semantic_tokens(c, Some(range)))
            })
            .await?
            .map(SemanticTokensRangeResult::Tokens))
    }

    async fn inlay_hint(&self, p: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let range = p.range;
        self.on_file(&p.text_document.uri, move |c| {
            Ok(features::inlay_hints(c, range))
        })
        .await
    }

    async fn folding_range(&self, p: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.on_file(&p.text_document.uri, |c| Ok(features::folding_ranges(c)))
            .await
    }
}

/// Settings may come as the settings object itself or wrapped as `{ "newsmark": {...} }`.
fn unwrap_section(v: Value) -> Value {
    match v {
        Value::Object(mut m) if m.len() == 1 && m.contains_key("newsmark") => {
            m.remove("newsmark").unwrap_or_default()
        }
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::LspService;

    fn change(shared: &Shared, key: &str, version: i32, text: &str) -> u64 {
        let edit = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_string(),
        };
        shared
            .engine
            .docs()
            .change(key, version, &[edit], Encoding::Utf16)
            .expect("open")
    }

    /// A request on one document that arrives after an edit of another brings that other
    /// document forward; a request on it sent before the edit, still being answered, must get
    /// its answer for its own text, not `ContentModified`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_does_not_move_a_document_past_an_older_request_still_in_flight() {
        let (service, _socket) = LspService::new(Backend::new);
        let shared = service.inner().shared.clone();
        // Long enough that only a missing wait, not a slow machine, can fail this test.
        shared
            .older_requests_wait_us
            .store(60_000_000, Ordering::Relaxed);
        let (a, b) = ("/w/a.nmk".to_string(), "/w/b.nmk".to_string());
        let first = "@lavrov: person \"Sergey Lavrov\"\n\n@lavrov said it.\n";
        {
            let mut docs = shared.engine.docs();
            docs.open(&a, uri_of(&a).unwrap(), first, 1);
            docs.open(&b, uri_of(&b).unwrap(), "Prose.\n", 1);
        }
        let arrival = |key: &str| {
            let mut docs = shared.engine.docs();
            Arrival {
                doc: docs.snapshot(key),
                open: docs.snapshots(),
            }
        };
        let old = arrival(&a);
        shared.engine.sync_to(&a, old.doc.as_ref());
        // The request on `a` sent before the edit is still being answered.
        let in_flight = shared.pending(a.clone(), old.doc.as_ref().unwrap().gen);
        let gen2 = change(&shared, &a, 2, "Edited.\n");
        let newer = arrival(&b);
        let s = shared.clone();
        let on_b = std::thread::spawn(move || {
            let (res, _) = s.file_request("/w/b.nmk", &newer, |_| Ok(()));
            res.is_ok()
        });
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            shared.engine.behind(&a, gen2),
            "`a` moved past the older request's text"
        );
        // The older request is answered for the text it was sent against.
        let (res, _) = shared.file_request(&a, &old, |c| Ok(c.a.data.text.clone()));
        assert_eq!(res.expect("not ContentModified").as_deref(), Some(first));
        drop(in_flight);
        assert!(on_b.join().unwrap());
        assert!(
            !shared.engine.behind(&a, gen2),
            "`a` is brought forward once it is free"
        );
    }

    /// The wait for older requests is bounded: one that never finishes holds a newer request
    /// up for the wait and no longer, and the document then moves forward anyway (the stuck
    /// request will be answered `ContentModified`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stuck_older_request_holds_newer_ones_up_for_the_wait_only() {
        let (service, _socket) = LspService::new(Backend::new);
        let shared = service.inner().shared.clone();
        let wait = Duration::from_millis(200);
        shared
            .older_requests_wait_us
            .store(wait.as_micros() as u64, Ordering::Relaxed);
        let (a, b) = ("/w/a.nmk".to_string(), "/w/b.nmk".to_string());
        {
            let mut docs = shared.engine.docs();
            docs.open(&a, uri_of(&a).unwrap(), "First.\n", 1);
            docs.open(&b, uri_of(&b).unwrap(), "Prose.\n", 1);
        }
        let old = shared.engine.docs().snapshot(&a);
        shared.engine.sync_to(&a, old.as_ref());
        // Never dropped while the newer request runs: a request that is stuck.
        let _stuck = shared.pending(a.clone(), old.as_ref().unwrap().gen);
        let gen2 = change(&shared, &a, 2, "Edited.\n");
        let newer = {
            let mut docs = shared.engine.docs();
            Arrival {
                doc: docs.snapshot(&b),
                open: docs.snapshots(),
            }
        };
        let started = Instant::now();
        let s = shared.clone();
        let answered = tokio::task::spawn_blocking(move || {
            let (res, _) = s.file_request("/w/b.nmk", &newer, |_| Ok(()));
            res.is_ok()
        });
        let answered = tokio::time::timeout(Duration::from_secs(60), answered)
            .await
            .expect("the newer request waited without bound")
            .unwrap();
        assert!(answered);
        assert!(
            started.elapsed() >= wait,
            "it did not wait for the older request"
        );
        assert!(
            !shared.engine.behind(&a, gen2),
            "`a` moved forward after the wait"
        );
    }
}
