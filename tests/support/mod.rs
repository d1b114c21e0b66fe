//! A small LSP test client: runs the real `newsmark lsp` binary and speaks JSON-RPC with
//! Content-Length framing over its stdio. Responses are matched to requests by id; notifications
//! and server-to-client requests are kept in order and waited for with timeouts. Requests the
//! server sends (registerCapability, workDoneProgress/create, configuration, diagnostic refresh)
//! are answered automatically and recorded.
#![allow(dead_code)]

pub mod in_process;

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub const VSCODE: &str = "visual_studio_code_v1.65.2.json";
pub const NEOVIM: &str = "neovim_v0.11.0.json";

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests not yet consumed, in arrival order.
    pub inbox: VecDeque<Value>,
    /// Every notification and server request seen, in arrival order.
    pub log: Vec<Value>,
    responses: HashMap<i64, Value>,
    /// Error responses with a `null` id (to malformed messages), in arrival order.
    pub null_id_errors: Vec<Value>,
    /// What `workspace/configuration` answers for the `newsmark` section.
    pub settings: Value,
    /// Position encoding the server chose.
    pub utf8: bool,
    /// The server offered pull diagnostics (and so does not push them).
    pub pull: bool,
}

pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/clients")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("client fixture");
    serde_json::from_str(&text).expect("fixture json")
}

pub fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

impl Client {
    pub fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsmark"))
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start newsmark lsp");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&buf).expect("server sent bad JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            rx,
            next_id: 0,
            inbox: VecDeque::new(),
            log: Vec::new(),
            responses: HashMap::new(),
            null_id_errors: Vec::new(),
            settings: Value::Null,
            utf8: false,
            pull: false,
        }
    }

    /// Spawn and initialize like the client whose capabilities are in `fixture_name`.
    pub fn start(fixture_name: &str, root: Option<&Path>, init_options: Option<Value>) -> Client {
        Client::start_with(fixture(fixture_name), root, init_options)
    }

    /// Spawn and initialize with a client description `{clientInfo, capabilities}`.
    pub fn start_with(fx: Value, root: Option<&Path>, init_options: Option<Value>) -> Client {
        let mut c = Client::spawn();
        let mut params = json!({
            "processId": std::process::id(),
            "clientInfo": fx["clientInfo"],
            "capabilities": fx["capabilities"],
            "rootUri": Value::Null,
            "workspaceFolders": Value::Null,
        });
        if let Some(root) = root {
            params["rootUri"] = json!(file_uri(root));
            params["workspaceFolders"] = json!([{"uri": file_uri(root), "name": "ws"}]);
        }
        if let Some(o) = init_options {
            params["initializationOptions"] = o;
        }
        let res = c.request("initialize", params).expect("initialize");
        c.utf8 = res["capabilities"]["positionEncoding"] == "utf-8";
        c.pull = !res["capabilities"]["diagnosticProvider"].is_null();
        c.notify("initialized", json!({}));
        c
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin open");
        let _ = write!(stdin, "Content-Length: {}\r\n\r\n", body.len());
        let _ = stdin.write_all(&body);
        let _ = stdin.flush();
    }

    /// Send several messages in one write (the server reads them all at once).
    pub fn send_together(&mut self, msgs: &[Value]) {
        let mut bytes = Vec::new();
        for m in msgs {
            let body = serde_json::to_vec(m).unwrap();
            let _ = write!(bytes, "Content-Length: {}\r\n\r\n", body.len());
            bytes.extend(body);
        }
        let stdin = self.stdin.as_mut().expect("stdin open");
        let _ = stdin.write_all(&bytes);
        let _ = stdin.flush();
    }

    /// A fresh request id (for [`Client::send_together`]).
    pub fn next_request_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request without waiting; returns its id.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Wait for the response to request `id`: `Ok(result)` or `Err(error object)`.
    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(r) = self.responses.remove(&id) {
                return match r.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(r["result"].clone()),
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no response to request {id} in {TIMEOUT:?}"
            );
            self.pump(left);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.request_async(method, params);
        self.response(id)
    }

    /// A request that must succeed.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        match self.request(method, params) {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e}"),
        }
    }

    /// Receive one message (or time out), handling server requests.
    fn pump(&mut self, timeout: Duration) -> bool {
        let msg = match self.rx.recv_timeout(timeout) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => return false,
            Err(RecvTimeoutError::Disconnected) => panic!("server closed its output"),
        };
        if msg.get("method").is_none() {
            if msg["id"].is_null() {
                self.null_id_errors.push(msg["error"].clone());
                return true;
            }
            let id = msg["id"].as_i64().expect("response id");
            self.responses.insert(id, msg);
            return true;
        }
        if let Some(id) = msg.get("id") {
            let result = match msg["method"].as_str().unwrap() {
                "workspace/configuration" => {
                    let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                    json!(vec![self.settings.clone(); n])
                }
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
        self.log.push(msg.clone());
        self.inbox.push_back(msg);
        true
    }

    /// Wait for a notification (or server request) with this method that satisfies `pred`;
    /// earlier unmatched messages stay in the inbox.
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(method, TIMEOUT, pred).unwrap_or_else(|| {
            panic!(
                "no {method} matching in {TIMEOUT:?}; inbox: {:?}",
                self.inbox
            )
        })
    }

    pub fn try_wait_for(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        let mut scanned = 0;
        loop {
            while scanned < self.inbox.len() {
                let m = &self.inbox[scanned];
                if m["method"] == method && pred(&m["params"]) {
                    return self.inbox.remove(scanned).map(|m| m["params"].clone());
                }
                scanned += 1;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.pump(left);
        }
    }

    /// Diagnostics published for `uri` with exactly this document version.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics_within(uri, version, TIMEOUT)
    }

    /// [`Client::diagnostics`], waiting up to `limit` (work that is slow but must not hang).
    pub fn diagnostics_within(&mut self, uri: &str, version: i64, limit: Duration) -> Vec<Value> {
        let method = "textDocument/publishDiagnostics";
        let p = self
            .try_wait_for(method, limit, |p| {
                p["uri"] == uri && p["version"] == version
            })
            .unwrap_or_else(|| {
                panic!(
                    "no {method} for {uri} version {version} in {limit:?}; inbox: {:?}",
                    self.inbox
                )
            });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// The next diagnostics published for `uri` (any version).
    pub fn next_diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == uri)
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "newsmark", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// Position of the `nth` occurrence of `needle` in `text` (plus `delta` characters), in the
    /// negotiated encoding. Computed here independently of the server.
    pub fn pos(&self, text: &str, needle: &str, delta: usize) -> Value {
        pos_in(text, needle, 0, delta, self.utf8)
    }

    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Neovim 0.11's capabilities plus `workspace.diagnostics.refreshSupport`, as a client that
/// pulls diagnostics (VS Code ≥ 1.74 does) declares.
pub fn pull_client() -> Value {
    let mut fx = fixture(NEOVIM);
    fx["capabilities"]["workspace"]["diagnostics"] = serde_json::json!({"refreshSupport": true});
    fx
}

/// The LSP position of `text[offset..]`, in UTF-8 bytes or UTF-16 units.
pub fn position_of(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = if utf8 {
        offset - start
    } else {
        before[start..].encode_utf16().count()
    };
    json!({"line": line, "character": col})
}

/// Position of the `nth` (0-based) occurrence of `needle`, moved `delta` chars into it.
pub fn pos_in(text: &str, needle: &str, nth: usize, delta: usize, utf8: bool) -> Value {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
        .0;
    let off = start
        + needle
            .chars()
            .take(delta)
            .map(char::len_utf8)
            .sum::<usize>();
    position_of(text, off, utf8)
}

/// Range covering the `nth` occurrence of `needle`.
pub fn range_of(text: &str, needle: &str, nth: usize, utf8: bool) -> Value {
    let start = text.match_indices(needle).nth(nth).expect("needle").0;
    json!({"start": position_of(text, start, utf8), "end": position_of(text, start + needle.len(), utf8)})
}

/// Apply an LSP edit to a string the way a client does.
pub fn apply_edit(text: &mut String, range: &Value, new: &str, utf8: bool) {
    let a = offset_of(text, &range["start"], utf8);
    let b = offset_of(text, &range["end"], utf8);
    text.replace_range(a..b, new);
}

pub fn offset_of(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n').expect("line exists") + 1;
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_text = &text[start..end];
    if utf8 {
        return start + col;
    }
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units == col {
            return start + i;
        }
        units += c.len_utf16();
    }
    assert_eq!(units, col, "column inside the line");
    end
}

/// A temporary workspace folder with files.
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// For hostile-client tests: raw bytes, the process, and waiting on null-id errors.
impl Client {
    /// Write bytes to the server's stdin as they are (no framing).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let _ = stdin.write_all(bytes);
        let _ = stdin.flush();
    }

    /// The server's peak resident memory (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server is running");
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status");
        kb / 1024
    }

    /// The server process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    /// Wait until `n` error responses with a null id have arrived; returns them all.
    pub fn wait_null_id_errors(&mut self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        while self.null_id_errors.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "expected {n} null-id errors, got {:?}",
                self.null_id_errors
            );
            self.pump(left);
        }
        self.null_id_errors.clone()
    }
}
