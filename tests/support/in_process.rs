//! The server in process on in-memory pipes (`newsmark::lsp::serve`, framing included), for
//! property tests and regression replays that need no child process.

use newsmark::lsp::framing::{Frame, FrameReader};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

pub struct InProcess {
    input: DuplexStream,
    output: UnboundedReceiver<Value>,
    server: JoinHandle<bool>,
}

impl InProcess {
    /// Start a server; call inside a tokio runtime. Every frame the server writes must be a
    /// JSON-RPC message (the reader task panics otherwise).
    pub fn start() -> InProcess {
        let (input, server_r) = tokio::io::duplex(1 << 16);
        let (server_w, client_r) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(newsmark::lsp::serve(server_r, server_w));
        let (tx, output) = tokio::sync::mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            let mut frames = FrameReader::new(client_r);
            while let Some(f) = frames.next().await {
                let Frame::Message(b) = f else {
                    panic!("the server wrote a malformed frame: {f:?}")
                };
                let _ = tx.send(serde_json::from_slice::<Value>(&b).unwrap());
            }
        });
        InProcess {
            input,
            output,
            server,
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.input.write_all(bytes).await.unwrap();
    }

    /// The next message the server wrote, waiting at most `within`.
    pub async fn recv(&mut self, within: Duration) -> Value {
        tokio::time::timeout(within, self.output.recv())
            .await
            .expect("the server answers in time")
            .expect("the server is still writing")
    }

    /// Wait (at most `within`) for the session to end, then everything the server still wrote.
    pub async fn finish(mut self, within: Duration) -> Vec<Value> {
        tokio::time::timeout(within, self.server)
            .await
            .expect("the session ends in time")
            .unwrap();
        drop(self.input);
        let mut rest = Vec::new();
        while let Some(m) = self.output.recv().await {
            rest.push(m);
        }
        rest
    }
}
