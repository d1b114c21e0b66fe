//! Wire order for document state.
//!
//! tower-lsp-server polls handlers concurrently, so a `didChange` handler can run after a later
//! request's (tower-lsp #284, tower-lsp-server #36). This service sits in front of it: its `call`
//! runs in the transport's read loop, once per message, in the order the messages arrived. There
//! it applies `didOpen`/`didChange`/`didClose` to the document store, synchronously, and it
//! records for every request the document generation the request was sent against. Handlers read
//! that record through a task-local, so they answer for exactly the text the client had, or
//! report `ContentModified` when the document has moved on.

use super::docs::DocSnapshot;
use super::framing::MALFORMED;
use super::server::{Backend, Shared};
use futures_util::future::{BoxFuture, FutureExt};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
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
    pub open: Vec<(String, DocSnapshot)>,
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
}

impl Ordered {
    pub fn new(inner: LspService<Backend>) -> Ordered {
        let shared = inner.inner().shared.clone();
        Ordered { inner, shared }
    }
}

fn params<T: serde::de::DeserializeOwned>(req: &Request) -> Option<T> {
    serde_json::from_value(req.params()?.clone()).ok()
}

impl tower::Service<Request> for Ordered {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<'static, Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if req.method() == MALFORMED {
            return Box::pin(std::future::ready(Ok(Some(malformed(&req)))));
        }
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
        let mut guard = None;
        let arrival = if req.id().is_some() {
            let doc = req
                .params()
                .and_then(|p| p.get("textDocument")?.get("uri")?.as_str())
                .and_then(|uri| self.shared.snapshot(uri))
                .map(|(key, snap)| {
                    guard = Some(self.shared.pending(key, snap.gen));
                    snap
                });
            Arc::new(Arrival {
                doc,
                open: self.shared.engine.docs().snapshots(),
            })
        } else {
            Arc::default()
        };
        let fut = AssertUnwindSafe(ARRIVAL.scope(arrival, self.inner.call(req))).catch_unwind();
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
