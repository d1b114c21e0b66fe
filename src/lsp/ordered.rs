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
use super::server::{Backend, Shared};
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};
use tower_lsp_server::{ExitedError, LspService};

tokio::task_local! {
    /// The state of the request's document when the request arrived.
    static SNAPSHOT: Option<DocSnapshot>;
}

/// The snapshot taken when the current request arrived, if it names an open document.
pub fn request_snapshot() -> Option<DocSnapshot> {
    SNAPSHOT.try_with(Clone::clone).ok().flatten()
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
        match req.method() {
            "textDocument/didOpen" => {
                if let Some(p) = params::<DidOpenTextDocumentParams>(&req) {
                    self.shared.on_open(p);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = params::<DidChangeTextDocumentParams>(&req) {
                    self.shared.on_change(p);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = params::<DidCloseTextDocumentParams>(&req) {
                    self.shared.on_close(p);
                }
            }
            _ => {}
        }
        let snap = if req.id().is_some() {
            req.params()
                .and_then(|p| p.get("textDocument")?.get("uri")?.as_str())
                .and_then(|uri| self.shared.snapshot(uri))
        } else {
            None
        };
        Box::pin(SNAPSHOT.scope(snap, self.inner.call(req)))
    }
}
