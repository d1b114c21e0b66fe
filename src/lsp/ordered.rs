//! Wire order for document state.
//!
//! tower-lsp-server polls handlers concurrently, so a `didChange` handler can run after a later
//! request's (tower-lsp #284, tower-lsp-server #36). This service sits in front of it: its `call`
//! runs in the transport's read loop, once per message, in the order the messages arrived. There
//! it applies `didOpen`/`didChange`/`didClose` to the document store, synchronously, and it
//! records for every request the state of every open document when the request arrived.
//! Handlers read that record through a task-local and bring the workspace up to it (not past
//! it), so they answer for exactly the text the client had when it sent the request.
//!
//! `ContentModified`: LSP 3.17 says a server should not send it because of changes still in its
//! unprocessed messages; a result computed on the state the request was sent against is what
//! the client asked for. So a request queued behind later edits is still answered for its own
//! text (and the diagnostics task waits, briefly, for such requests before it analyses the
//! newer text). Only when the workspace has already moved past that text (a request overtaken
//! by a later one that needed the newer text) is the answer `ContentModified`, which
//! vscode-languageclient turns into an empty answer and Neovim does not show.
//!
//! Position requests (hover, definition, references, completion, highlights) take a fast path
//! here instead of the router (see [`fast`]).

use super::docs::DocSnapshot;
use super::features::{self, Ctx};
use super::framing::{is_response, Frame, Intercept, MALFORMED};
use super::key_of;
use super::memo::Json;
use super::output::Output;
use super::server::{Backend, PendingGuard, Shared};
use super::workers::Pool;
use futures_util::future::{BoxFuture, FutureExt};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};
use tower_lsp_server::{ExitedError, LspService};

/// The open documents as a request found them when it arrived.
#[derive(Default)]
pub struct Arrival {
    /// The request's own document, if it names an open one.
    pub doc: Option<DocSnapshot>,
    /// Every open document (the request's too).
    pub open: Arc<Vec<(String, DocSnapshot)>>,
}

tokio::task_local! {
    static ARRIVAL: Arc<Arrival>;
}

/// The snapshot taken when the current request arrived, if it names an open document.
pub fn request_snapshot() -> Option<DocSnapshot> {
    ARRIVAL.try_with(|a| a.doc.clone()).ok().flatten()
}

/// The open documents when the current request arrived (empty outside a request).
pub fn request_arrival() -> Arc<Arrival> {
    ARRIVAL.try_with(Arc::clone).unwrap_or_default()
}

pub struct Ordered {
    inner: LspService<Backend>,
    shared: Arc<Shared>,
    /// `initialized` has arrived and `shutdown` has not: requests may take the fast path.
    initialized: bool,
    shut_down: bool,
}

impl Ordered {
    pub fn new(inner: LspService<Backend>) -> Ordered {
        let shared = inner.inner().shared.clone();
        Ordered {
            inner,
            shared,
            initialized: false,
            shut_down: false,
        }
    }
}

/// A position request's work, run on the worker pool: the feature, its serialisation and the
/// write of the answer (or of its error) to the output all happen there.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// The JSON of a feature's result (fresh, or kept by [`super::memo`]).
type ResultJson = serde_json::Result<Json>;

fn fresh<T: serde::Serialize>(v: T) -> ResultJson {
    serde_json::to_vec(&v).map(Arc::from)
}

/// Send `{"jsonrpc":"2.0","result":…,"id":…}` around a result's JSON.
fn send_answer(out: &Output, result: &[u8], id: &Id) -> serde_json::Result<()> {
    let mut tail = br#","id":"#.to_vec();
    serde_json::to_writer(&mut tail, id)?;
    tail.push(b'}');
    out.send_parts(&[br#"{"jsonrpc":"2.0","result":"#, result, &tail]);
    Ok(())
}

fn answer(
    s: Arc<Shared>,
    out: Arc<Output>,
    id: Id,
    uri: Uri,
    arrival: Arc<Arrival>,
    f: impl FnOnce(&Ctx<'_>) -> ResultJson + Send + 'static,
) -> Job {
    Box::new(move || {
        let (res, deps) = s.file_request(&key_of(&uri), &arrival, |c| Ok(f(c)));
        let cannot_serialise = |e: serde_json::Error| Error {
            code: ErrorCode::InternalError,
            message: format!("cannot serialise the answer: {e}").into(),
            data: None,
        };
        let failed = match res {
            Ok(Some(Ok(result))) => send_answer(&out, &result, &id).err().map(cannot_serialise),
            // An unknown file is answered `null`, as the router's handlers do.
            Ok(None) => send_answer(&out, b"null", &id).err().map(cannot_serialise),
            Ok(Some(Err(e))) => Some(cannot_serialise(e)),
            Err(e) => Some(e),
        };
        if let Some(e) = failed {
            if let Ok(b) = serde_json::to_vec(&Response::from_error(id, e)) {
                out.send(&b);
            }
        }
        s.kick_dependents(&deps);
    })
}

/// The work of a position request on the fast path (see `Ordered::call`); `None` when the
/// request is not one, or its params do not decode (the router then answers with its error).
const POSITION_REQUESTS: [&str; 5] = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/documentHighlight",
];

fn fast(shared: &Arc<Shared>, req: &Request, arrival: Arc<Arrival>) -> Option<Job> {
    use serde::Deserialize;
    use tower_lsp_server::ls_types::*;
    if !POSITION_REQUESTS.contains(&req.method()) {
        return None;
    }
    let out = shared.out.get()?.clone();
    let id = req.id()?.clone();
    let params = req.params()?;
    // Each of these requests' params flattens `TextDocumentPositionParams`.
    let (uri, pos) = match plain_position_params(req.method(), params) {
        Some(p) => p,
        None => {
            let pp = TextDocumentPositionParams::deserialize(params).ok()?;
            (pp.text_document.uri, pp.position)
        }
    };
    let s = shared.clone();
    Some(match req.method() {
        "textDocument/hover" => answer(s, out, id, uri, arrival, move |c| {
            fresh(features::hover(c, pos))
        }),
        "textDocument/definition" => answer(s, out, id, uri, arrival, move |c| {
            fresh(features::definition(c, pos))
        }),
        "textDocument/references" => {
            let decl = ReferenceContext::deserialize(params.get("context")?)
                .ok()?
                .include_declaration;
            answer(s, out, id, uri, arrival, move |c| {
                features::references_json(c, pos, decl)
            })
        }
        "textDocument/completion" => answer(s, out, id, uri, arrival, move |c| {
            features::completion_json(c, pos)
        }),
        _ => answer(s, out, id, uri, arrival, move |c| {
            fresh(features::highlights(c, pos))
        }),
    })
}

/// The document and position of the params of a position request when they hold nothing else
/// (what clients send but for completion's `context`), read straight from the JSON: decoding
/// them with serde goes through its buffering of flattened structs, a good part of the read
/// loop's time under load. `None` for anything else, which is decoded with serde (so that
/// malformed optional fields are refused as before).
fn plain_position_params(
    method: &str,
    params: &serde_json::Value,
) -> Option<(Uri, tower_lsp_server::ls_types::Position)> {
    let p = params.as_object()?;
    let context = method == "textDocument/references";
    if p.len() != 2 + usize::from(context) {
        return None;
    }
    if context {
        // `ReferenceContext { includeDeclaration: bool }`, read again by the caller.
        p.get("context")?.get("includeDeclaration")?.as_bool()?;
    }
    let uri: Uri = p.get("textDocument")?.get("uri")?.as_str()?.parse().ok()?;
    let pos = p.get("position")?;
    let n = |k: &str| u32::try_from(pos.get(k)?.as_u64()?).ok();
    let pos = tower_lsp_server::ls_types::Position::new(n("line")?, n("character")?);
    Some((uri, pos))
}

/// A notification's params, decoded without copying them.
fn params<T: serde::de::DeserializeOwned>(req: &Request) -> Option<T> {
    T::deserialize(req.params()?).ok()
}

impl tower::Service<Request> for Ordered {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<'static, Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // Taken in (with its edit applied and its arrival recorded) when this returns.
        let _taken_in = TakenIn(&self.shared);
        if req.method() == MALFORMED {
            return Box::pin(std::future::ready(Ok(Some(malformed(&req)))));
        }
        match req.method() {
            "initialized" => self.initialized = true,
            "shutdown" | "exit" => self.shut_down = true,
            _ => {}
        }
        self.shared
            .fast_path_open
            .store(self.initialized && !self.shut_down, Ordering::SeqCst);
        let id = req.id().cloned();
        let method = req.method().to_string();
        // A panic in a handler (or in applying an edit) must not take the server down: it
        // becomes an error response to the request (a notification's is only logged).
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.apply(&req))) {
            Ok(()) => {}
            Err(p) => {
                let err = panicked(&method, p.as_ref());
                return Box::pin(std::future::ready(Ok(
                    id.map(|id| Response::from_error(id, err))
                )));
            }
        }
        let (arrival, guard) = if req.id().is_some() {
            arrive(&self.shared, &req)
        } else {
            (Arc::default(), None)
        };
        // Position requests on documents skip the router once the server is initialized: its
        // conversion of results to JSON runs on the single task that also reads and writes
        // every message, and was the bottleneck under load. Same answers, same errors, but not
        // cancellable by `$/cancelRequest` (they take a few hundred microseconds).
        let pool = self.shared.pool.get().cloned();
        let fast = match &pool {
            Some(_) if self.initialized && !self.shut_down && self.shared.initialize_ran() => {
                fast(&self.shared, &req, arrival.clone())
            }
            _ => None,
        };
        if let (Some(job), Some(pool), Some(id)) = (fast, pool, id.clone()) {
            // Answered by the pool, which writes the answer itself; the router only waits
            // for room in the pool's queue.
            let out = self.shared.out.get().cloned();
            return Box::pin(async move {
                run_on_pool(&pool, out, job, id, method, guard).await;
                Ok(None)
            });
        }
        let inner = self.inner.call(req).boxed();
        let fut = AssertUnwindSafe(ARRIVAL.scope(arrival, inner)).catch_unwind();
        Box::pin(
            fut.map(move |r| {
                drop(guard);
                r
            })
            .map(move |r| match r {
                Ok(r) => r,
                Err(p) => {
                    let err = panicked(&method, p.as_ref());
                    Ok(id.map(|id| Response::from_error(id, err)))
                }
            }),
        )
    }
}

/// Counts a message passed on by [`Intake`] as taken in when `Ordered::call` returns.
struct TakenIn<'a>(&'a Shared);

impl Drop for TakenIn<'_> {
    fn drop(&mut self) {
        // Saturating: messages that did not come through an `Intake` (tests) are not counted.
        let _ = self
            .0
            .in_transit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }
}

/// The open documents as request `req` finds them on arrival, and the guard that counts it
/// against its document's text until it is answered.
fn arrive(shared: &Arc<Shared>, req: &Request) -> (Arc<Arrival>, Option<PendingGuard>) {
    let mut guard = None;
    let doc = req
        .params()
        .and_then(|p| p.get("textDocument")?.get("uri")?.as_str())
        .and_then(|uri| shared.snapshot(uri))
        .map(|(key, snap)| {
            guard = Some(shared.pending(key, snap.gen));
            snap
        });
    let open = shared.engine.docs().snapshots();
    (Arc::new(Arrival { doc, open }), guard)
}

/// Wait for room in the pool's queue, then queue a position request's job there (it writes
/// its answer itself; a panic becomes an error answer).
async fn run_on_pool(
    pool: &Arc<Pool>,
    out: Option<Arc<Output>>,
    job: Job,
    id: Id,
    method: String,
    guard: Option<PendingGuard>,
) {
    let permit = pool.admit().await;
    pool.push(move || {
        if let Err(p) = std::panic::catch_unwind(AssertUnwindSafe(job)) {
            let err = panicked(&method, p.as_ref());
            if let (Some(out), Ok(b)) = (out, serde_json::to_vec(&Response::from_error(id, err))) {
                out.send(&b);
            }
        }
        drop(guard);
        drop(permit);
    });
}

/// Takes position requests off the input before the router, on the thread that reads it.
///
/// Through the router, a request is decoded a second time and handed from the reading thread
/// to the router's task and from there to the pool: two thread wake-ups per batch of requests
/// and about a third of the server's time under load. The reading thread can queue it on the
/// pool itself, in wire order, whenever everything it passed on before has been taken in by
/// `Ordered::call` (edits applied, `initialized` seen): then the documents it records as the
/// request's arrival are the same as `Ordered::call` would record. Otherwise, and for every
/// other message, it passes the message on.
pub(crate) struct Intake {
    shared: Arc<Shared>,
}

impl Intake {
    pub(crate) fn new(shared: Arc<Shared>) -> Intake {
        Intake { shared }
    }

    /// The work of position request `req`, if it may be answered without the router now.
    fn fast_job(&self, req: &Request) -> Option<(Job, Id, Option<PendingGuard>)> {
        let s = &self.shared;
        if s.in_transit.load(Ordering::SeqCst) != 0
            || !s.fast_path_open.load(Ordering::SeqCst)
            || !s.initialize_ran()
            || !POSITION_REQUESTS.contains(&req.method())
        {
            return None;
        }
        let id = req.id()?.clone();
        let (arrival, guard) = arrive(s, req);
        let job = fast(s, req, arrival)?;
        Some((job, id, guard))
    }
}

impl Intake {
    /// Run position request `req` on the worker pool if it may skip the router now; returns
    /// whether the pool took it.
    async fn run_fast(&self, req: &Request) -> bool {
        let Some(pool) = self.shared.pool.get().cloned() else {
            return false;
        };
        // A panic here would end the reading thread: pass the request on instead (the router
        // answers a panic with an error).
        let job =
            std::panic::catch_unwind(AssertUnwindSafe(|| self.fast_job(req))).unwrap_or_else(|p| {
                // Logged; the request is answered by the router.
                let _ = panicked(req.method(), p.as_ref());
                None
            });
        let Some((job, id, guard)) = job else {
            return false;
        };
        let out = self.shared.out.get().cloned();
        run_on_pool(&pool, out, job, id, req.method().to_string(), guard).await;
        true
    }
}

impl Intercept for Intake {
    async fn take(&mut self, frame: &Frame, req: Option<Request>) -> bool {
        match (frame, &req) {
            // A response to a request of the server's goes elsewhere in tower-lsp-server and is
            // not counted.
            (Frame::Message(body), Some(_)) if is_response(body) => false,
            (Frame::Message(_), None) => false,
            (Frame::Message(_), Some(req)) if self.run_fast(req).await => true,
            // A request, a notification or a malformed message goes on to `Ordered::call`,
            // which uncounts it when it takes it in.
            _ => {
                self.shared.in_transit.fetch_add(1, Ordering::SeqCst);
                false
            }
        }
    }
}

impl Ordered {
    /// Apply document notifications to the store, in wire order.
    fn apply(&self, req: &Request) {
        match req.method() {
            "textDocument/didOpen" => {
                if let Some(p) = params::<DidOpenTextDocumentParams>(req) {
                    self.shared.on_open(p);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = params::<DidChangeTextDocumentParams>(req) {
                    self.shared.on_change(p);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = params::<DidCloseTextDocumentParams>(req) {
                    self.shared.on_close(p);
                }
            }
            _ => {}
        }
    }
}

/// The error response to a malformed message (see [`super::framing`]).
fn malformed(req: &Request) -> Response {
    let p = req.params();
    let code = p.and_then(|p| p.get("code")?.as_i64()).unwrap_or(-32700);
    let message = p
        .and_then(|p| p.get("message")?.as_str())
        .unwrap_or("malformed message")
        .to_string();
    let id = req.id().cloned().unwrap_or(Id::Null);
    Response::from_error(
        id,
        Error {
            code: ErrorCode::from(code),
            message: message.into(),
            data: None,
        },
    )
}

fn panicked(method: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    eprintln!("newsmark lsp: internal error in {method}: {what}");
    Error {
        code: ErrorCode::InternalError,
        message: format!("internal error in {method}: {what}").into(),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use tower::Service;

    async fn boom(_: &Backend, _: Value) -> tower_lsp_server::jsonrpc::Result<Value> {
        panic!("boom in a handler")
    }

    async fn call(svc: &mut Ordered, req: Request) -> Option<Response> {
        futures_util::future::poll_fn(|cx| svc.poll_ready(cx))
            .await
            .unwrap();
        svc.call(req).await.unwrap()
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_with_an_error_and_the_server_goes_on() {
        let (service, _socket) = LspService::build(Backend::new)
            .custom_method("test/boom", boom)
            .finish();
        let mut svc = Ordered::new(service);
        let init = Request::build("initialize")
            .params(json!({"capabilities": {}}))
            .id(1)
            .finish();
        assert!(call(&mut svc, init).await.unwrap().is_ok());
        let r = call(
            &mut svc,
            Request::build("test/boom").params(json!({})).id(2).finish(),
        )
        .await
        .expect("a response");
        let (id, result) = r.into_parts();
        assert_eq!(id, Id::Number(2));
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::InternalError);
        assert!(err.message.contains("boom in a handler"), "{}", err.message);
        // A panicking notification has nothing to answer.
        let note = Request::build("test/boom").params(json!({})).finish();
        assert!(call(&mut svc, note).await.is_none());
        // Still serving.
        let open = Request::build("textDocument/didOpen")
            .params(
                json!({"textDocument": {"uri": "file:///p.nmk", "languageId": "newsmark",
                "version": 1, "text": "@a: person \"A\"\n"}}),
            )
            .finish();
        assert!(call(&mut svc, open).await.is_none());
        let sym = Request::build("textDocument/documentSymbol")
            .params(json!({"textDocument": {"uri": "file:///p.nmk"}}))
            .id(3)
            .finish();
        let (_, result) = call(&mut svc, sym).await.unwrap().into_parts();
        assert_eq!(result.unwrap()[0]["name"], "@a", "the document's entity");
    }

    #[test]
    fn plain_position_params_read_what_serde_reads_or_leave_it_to_serde() {
        use tower_lsp_server::ls_types::TextDocumentPositionParams;
        let plain = |m: &str, v: Value| plain_position_params(m, &v);
        let td = json!({"uri": "file:///a.nmk"});
        for (method, params) in [
            (
                "textDocument/hover",
                json!({"textDocument": td, "position": {"line": 3, "character": 7}}),
            ),
            (
                "textDocument/references",
                json!({"textDocument": td, "position": {"line": 0, "character": 0},
                    "context": {"includeDeclaration": false}}),
            ),
        ] {
            let (uri, pos) = plain(method, params.clone()).expect("plain");
            let pp: TextDocumentPositionParams = serde_json::from_value(params).unwrap();
            assert_eq!((uri, pos), (pp.text_document.uri, pp.position));
        }
        // Anything else goes to serde: other fields, other shapes, out of range.
        for params in [
            json!({"textDocument": td, "position": {"line": 3, "character": 7}, "workDoneToken": 1}),
            json!({"textDocument": td, "position": [3, 7]}),
            json!({"textDocument": td, "position": {"line": -1, "character": 7}}),
            json!({"textDocument": td, "position": {"line": 4294967296u64, "character": 7}}),
            json!({"textDocument": {"uri": "not a uri"}, "position": {"line": 3, "character": 7}}),
            json!({"textDocument": td, "position": {"line": 3, "character": 7},
                "context": {"triggerKind": 1}}),
        ] {
            assert_eq!(
                plain("textDocument/completion", params.clone()),
                None,
                "{params}"
            );
        }
        let refs = json!({"textDocument": td, "position": {"line": 3, "character": 7}});
        assert_eq!(plain("textDocument/references", refs), None);
    }

    async fn take(intake: &mut Intake, body: &str) -> bool {
        let frame = super::super::framing::check_body(body.as_bytes().to_vec());
        let req = serde_json::from_str::<Request>(body).ok();
        intake.take(&frame, req).await
    }

    /// The intake counts what it passes on to `Ordered::call` exactly: a client's response
    /// goes elsewhere in tower-lsp-server and must not be counted, or position requests would
    /// never skip the router again; a request, a notification or a malformed message is
    /// counted until `call` takes it in.
    #[tokio::test]
    async fn the_intake_counts_what_it_passes_on_until_call_takes_it_in() {
        let (service, _socket) = LspService::new(Backend::new);
        let shared = service.inner().shared.clone();
        let mut svc = Ordered::new(service);
        let mut intake = Intake::new(shared.clone());
        let in_transit = || shared.in_transit.load(Ordering::SeqCst);
        for response in [
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"no"}}"#,
        ] {
            assert!(!take(&mut intake, response).await, "passed on");
            assert_eq!(in_transit(), 0, "{response}");
        }
        // Before `initialized` is taken in, a hover is passed on like any request.
        let messages = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.nmk"},"position":{"line":0,"character":0}}}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ];
        for m in messages {
            assert!(!take(&mut intake, m).await, "passed on");
        }
        assert!(!take(&mut intake, "not json").await, "passed on");
        assert_eq!(in_transit(), 4);
        for (n, m) in messages.into_iter().enumerate() {
            call(&mut svc, serde_json::from_str(m).unwrap()).await;
            assert_eq!(in_transit(), 3 - n as u64, "taken in by call");
        }
        let malformed = Request::build(MALFORMED)
            .params(json!({"code": -32700, "message": "not JSON"}))
            .id(Id::Null)
            .finish();
        call(&mut svc, malformed).await;
        assert_eq!(in_transit(), 0);
        assert!(shared.fast_path_open.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn malformed_placeholders_are_answered_with_their_error() {
        let (service, _socket) = LspService::new(Backend::new);
        let mut svc = Ordered::new(service);
        let req = Request::build(MALFORMED)
            .params(json!({"code": -32600, "message": "not a request"}))
            .id(Id::Null)
            .finish();
        let (id, result) = call(&mut svc, req).await.unwrap().into_parts();
        assert_eq!(id, Id::Null);
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert_eq!(err.message, "not a request");
    }
}
