//! The server's output: one buffer that every message is appended to whole, drained into the
//! real output by one task.
//!
//! tower-lsp-server writes its messages (responses from its router, notifications, requests to
//! the client) through [`OutWriter`]; the fast path of [`super::ordered`] appends the answers it
//! serialised on a blocking thread with [`Output::send`], without a trip through the protocol
//! task. Messages are appended whole under one lock, so they never interleave; the pump writes
//! whatever has gathered in one write (fewer system calls and wake-ups under load). Writers wait
//! while more than [`LIMIT`] bytes are unread, so a client that stops reading stops the server's
//! answers rather than growing its memory.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Unwritten bytes past which writers wait.
const LIMIT: usize = 16 << 20;

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    /// The output failed or was shut down: later messages are dropped.
    closed: bool,
    /// Async writers waiting for room.
    waiting: Vec<Waker>,
}

#[derive(Default)]
pub struct Output {
    state: Mutex<State>,
    /// Wakes the pump.
    more: Notify,
    /// Wakes blocked synchronous writers.
    room: Condvar,
}

impl Output {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Append one framed message, blocking while the buffer is full (call from a blocking
    /// thread, never from the protocol task).
    pub fn send(&self, body: &[u8]) {
        let mut st = self.lock();
        while st.buf.len() > LIMIT && !st.closed {
            st = self.room.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        if st.closed {
            return;
        }
        frame_into(&mut st.buf, body);
        drop(st);
        self.more.notify_one();
    }

    /// Copy everything appended to `out` until the writers are gone and the buffer is empty, or
    /// `out` fails.
    pub async fn pump<O: AsyncWrite + Unpin>(self: Arc<Self>, mut out: O) {
        let mut chunk = Vec::new();
        loop {
            // `Some(true)`: a chunk to write; `Some(false)`: nothing yet; `None`: done.
            let took = {
                let mut st = self.lock();
                if st.buf.is_empty() {
                    (!st.closed).then_some(false)
                } else {
                    std::mem::swap(&mut chunk, &mut st.buf);
                    for w in st.waiting.drain(..) {
                        w.wake();
                    }
                    Some(true)
                }
            };
            match took {
                None => break,
                Some(false) => {
                    self.more.notified().await;
                    continue;
                }
                Some(true) => {}
            }
            self.room.notify_all();
            if out.write_all(&chunk).await.is_err() || out.flush().await.is_err() {
                self.close();
                break;
            }
            chunk.clear();
        }
        let _ = out.shutdown().await;
    }

    /// No more output: wake everyone waiting; the pump ends once the buffer is written.
    pub fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        for w in st.waiting.drain(..) {
            w.wake();
        }
        drop(st);
        self.room.notify_all();
        self.more.notify_one();
    }
}

fn frame_into(buf: &mut Vec<u8>, body: &[u8]) {
    use std::io::Write;
    let _ = write!(buf, "Content-Length: {}\r\n\r\n", body.len());
    buf.extend_from_slice(body);
}

/// The `AsyncWrite` given to tower-lsp-server (its bytes are whole framed messages).
pub struct OutWriter(pub Arc<Output>);

impl AsyncWrite for OutWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut st = self.0.lock();
        if st.closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if st.buf.len() > LIMIT {
            st.waiting.push(cx.waker().clone());
            return Poll::Pending;
        }
        st.buf.extend_from_slice(data);
        drop(st);
        self.0.more.notify_one();
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_from_both_paths_arrive_whole_and_in_order_of_appending() {
        let out = Arc::new(Output::default());
        let (w, mut r) = tokio::io::duplex(1 << 16);
        let pump = tokio::spawn(out.clone().pump(w));
        let mut tower = OutWriter(out.clone());
        tower
            .write_all(b"Content-Length: 2\r\n\r\n{}")
            .await
            .unwrap();
        out.send(b"[1]");
        out.close();
        pump.await.unwrap();
        let mut got = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut r, &mut got)
            .await
            .unwrap();
        assert_eq!(
            got,
            "Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\n[1]"
        );
    }

    #[tokio::test]
    async fn a_failed_output_drops_later_messages_without_blocking() {
        let out = Arc::new(Output::default());
        let (w, r) = tokio::io::duplex(16);
        drop(r);
        let pump = tokio::spawn(out.clone().pump(w));
        out.send(b"{}");
        pump.await.unwrap();
        // Closed by the failure: a full-sized message returns at once.
        out.send(&vec![b'x'; LIMIT + 1]);
        out.send(b"{}");
        let mut tower = OutWriter(out.clone());
        assert!(tower.write_all(b"x").await.is_err());
    }
}
