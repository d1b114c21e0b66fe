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
//!
//! With a synchronous sink ([`Output::with_sink`], the server's stdout) there is no pump task:
//! a thread that appends a message and finds nobody writing writes the buffer out itself (and
//! whatever others append meanwhile), so a busy server's answers leave without waking any other
//! thread; [`Output::run_writer`] only writes what the async side (the router) appends while
//! nobody else is writing.

use std::io::{self, Write};
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
    /// Synchronous writers waiting for room.
    blocked: usize,
    /// A thread is writing the buffer to the sink (synchronous sink only).
    writing: bool,
    /// The writer thread waits for work (synchronous sink only).
    writer_idle: bool,
    /// The last written chunk's allocation, for the next.
    spare: Vec<u8>,
}

#[derive(Default)]
pub struct Output {
    state: Mutex<State>,
    /// Wakes the pump.
    more: Notify,
    /// Wakes blocked synchronous writers.
    room: Condvar,
    /// The synchronous sink, written only by the thread that set `writing`.
    sink: Option<Mutex<Box<dyn Write + Send>>>,
    /// Wakes the writer thread of a synchronous sink.
    work: Condvar,
}

impl Output {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An output written synchronously to `sink` (see the module docs); run
    /// [`Output::run_writer`] on a thread of its own.
    pub fn with_sink(sink: Box<dyn Write + Send>) -> Output {
        Output {
            sink: Some(Mutex::new(sink)),
            ..Output::default()
        }
    }

    /// Append one framed message, blocking while the buffer is full (call from a blocking
    /// thread, never from the protocol task). With a synchronous sink, the message may be
    /// written out here.
    pub fn send(&self, body: &[u8]) {
        self.send_parts(&[body]);
    }

    /// [`Output::send`] of the message made of `parts` one after the other (copied once).
    pub fn send_parts(&self, parts: &[&[u8]]) {
        let mut st = self.lock();
        while st.buf.len() > LIMIT && !st.closed {
            st.blocked += 1;
            st = self.room.wait(st).unwrap_or_else(|e| e.into_inner());
            st.blocked -= 1;
        }
        if st.closed {
            return;
        }
        frame_into(&mut st.buf, parts);
        if self.sink.is_some() {
            if !st.writing {
                drop(self.write_out(st));
            }
            return;
        }
        drop(st);
        self.more.notify_one();
    }

    /// Write the buffer to the synchronous sink until it is empty; the caller found nobody
    /// writing. Returns the lock, with `writing` unset again.
    fn write_out<'a>(&'a self, mut st: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let Some(sink) = &self.sink else { return st };
        st.writing = true;
        let mut chunk = std::mem::take(&mut st.spare);
        // Also after `close`: what was appended before it is still written.
        while !st.buf.is_empty() {
            std::mem::swap(&mut chunk, &mut st.buf);
            for w in st.waiting.drain(..) {
                w.wake();
            }
            let blocked = st.blocked > 0;
            drop(st);
            if blocked {
                self.room.notify_all();
            }
            let ok = {
                let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
                sink.write_all(&chunk).and_then(|()| sink.flush()).is_ok()
            };
            chunk.clear();
            st = self.lock();
            if !ok {
                // Closed by the failure: later messages are dropped.
                st.buf.clear();
                st.writing = false;
                drop(st);
                self.close();
                st = self.lock();
                break;
            }
        }
        st.writing = false;
        st.spare = chunk;
        if st.closed && st.writer_idle {
            // The writer thread waits for this write to end before it ends.
            self.work.notify_all();
        }
        st
    }

    /// The writer thread of a synchronous sink: writes what is appended while nobody else is
    /// writing, until the output is closed and written.
    pub fn run_writer(&self) {
        let mut st = self.lock();
        loop {
            if !st.buf.is_empty() && !st.writing {
                st = self.write_out(st);
                continue;
            }
            if st.closed && !st.writing && st.buf.is_empty() {
                return;
            }
            st.writer_idle = true;
            st = self.work.wait(st).unwrap_or_else(|e| e.into_inner());
            st.writer_idle = false;
        }
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
        // With a synchronous sink, what is appended is still written (as the pump does).
        if self.sink.is_some() && !st.writing && !st.buf.is_empty() {
            st = self.write_out(st);
        }
        st.closed = true;
        for w in st.waiting.drain(..) {
            w.wake();
        }
        drop(st);
        self.room.notify_all();
        self.more.notify_one();
        self.work.notify_all();
    }
}

fn frame_into(buf: &mut Vec<u8>, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let _ = write!(buf, "Content-Length: {len}\r\n\r\n");
    for p in parts {
        buf.extend_from_slice(p);
    }
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
        if self.0.sink.is_some() {
            // Whoever is writing takes it along; else the writer thread does.
            let wake = !st.writing && st.writer_idle;
            drop(st);
            if wake {
                self.0.work.notify_one();
            }
        } else {
            drop(st);
            self.0.more.notify_one();
        }
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

    /// A `Write` into a shared vector.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_synchronous_sink_gets_every_message_whole_from_threads_and_the_router() {
        let sink = Shared::default();
        let out = Arc::new(Output::with_sink(Box::new(sink.clone())));
        let writer = std::thread::spawn({
            let out = out.clone();
            move || out.run_writer()
        });
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let out = out.clone();
                std::thread::spawn(move || {
                    for i in 0..200 {
                        out.send(format!("[{t},{i}]").as_bytes());
                    }
                })
            })
            .collect();
        let mut tower = OutWriter(out.clone());
        for i in 0..200 {
            let body = format!("{{\"n\":{i}}}");
            let msg = format!("Content-Length: {}\r\n\r\n{body}", body.len());
            tower.write_all(msg.as_bytes()).await.unwrap();
        }
        for t in threads {
            t.join().unwrap();
        }
        out.close();
        writer.join().unwrap();
        let got = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let bodies: Vec<&str> = got.split("Content-Length: ").skip(1).collect();
        assert_eq!(bodies.len(), 1000);
        for b in &bodies {
            let (len, body) = b.split_once("\r\n\r\n").unwrap();
            assert_eq!(len.parse::<usize>().unwrap(), body.len(), "{b:?}");
        }
        // Each sender's messages in the order sent.
        for t in 0..4 {
            let mine: Vec<&&str> = bodies
                .iter()
                .filter(|b| b.contains(&format!("[{t},")))
                .collect();
            assert_eq!(mine.len(), 200);
            assert!(mine[199].ends_with(&format!("[{t},199]")));
        }
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
