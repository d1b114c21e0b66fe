//! `newsmark lsp`: the language server, LSP 3.17 over stdio. Protocol glue only: the analysis
//! and the IDE features are plain functions in [`crate::analysis`]; this module keeps documents
//! in wire order, schedules analysis off the async runtime and converts spans to positions.

mod docs;
mod engine;
mod features;
pub mod framing;
mod memo;
mod ordered;
mod output;
pub mod pos;
mod server;
mod workers;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::{LspService, Server};

/// The workspace key of a document: its path for `file:` URIs (so that a file opened by the
/// editor and the same file found on disk are one), else the URI itself.
pub fn key_of(uri: &Uri) -> String {
    if uri.scheme().as_str() == "file" {
        if let Some(p) = uri.to_file_path() {
            return p.display().to_string();
        }
    }
    uri.as_str().to_string()
}

/// The URI of a workspace key.
pub fn uri_of(key: &str) -> Option<Uri> {
    if key.starts_with('/') {
        Uri::from_file_path(key)
    } else {
        key.parse().ok()
    }
}

/// Serve LSP messages read from `input`, writing to `output`, until `exit` or until `input`
/// ends; true when `shutdown` came first. `run` serves stdio; tests, benchmarks and fuzzing
/// serve in-memory pipes. Malformed frames are answered with errors (see [`framing`]), never
/// ending the session.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin,
{
    let out = Arc::new(output::Output::default());
    let pump = out.clone().pump(output);
    serve_on(
        |feed, mut intake| {
            let task =
                tokio::spawn(async move { framing::sanitize_with(input, feed, &mut intake).await });
            Box::new(move || task.abort())
        },
        out,
        pump,
    )
    .await
}

/// [`serve`] with the input started by `start_input` (given the server's end of the pipe of
/// sanitized frames and the [`ordered::Intake`] that takes position requests off it; returns
/// how to stop it) and the output in `out`, written by `pump` or by `out`'s own threads.
async fn serve_on(
    start_input: impl FnOnce(tokio::io::DuplexStream, ordered::Intake) -> Box<dyn FnOnce() + Send>,
    out: Arc<output::Output>,
    pump: impl std::future::Future<Output = ()>,
) -> bool {
    let (service, socket) = LspService::build(server::Backend::new)
        .custom_method("newsmark/documentText", server::Backend::document_text)
        .finish();
    let shared = service.inner().shared.clone();
    let _ = shared.out.set(out.clone());
    // As many as there are cores (at least two, so that one long request, such as the first
    // analysis of a large document, does not hold up the others).
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let pool = workers::Pool::start(threads);
    let _ = shared.pool.set(pool.clone());
    let service = ordered::Ordered::new(service);
    let (clean_in, feed) = tokio::io::duplex(64 << 10);
    let stop_input = start_input(feed, ordered::Intake::new(shared.clone()));
    let serving = async {
        Server::new(clean_in, output::OutWriter(out.clone()), socket)
            .serve(service)
            .await;
        // Whatever was answered is still written, then the output ends.
        out.close();
    };
    tokio::join!(serving, pump);
    pool.close();
    stop_input();
    shared.shutdown.load(Ordering::SeqCst)
}

/// Run the server on stdin/stdout until `exit` or until stdin closes. Exits 0 when `shutdown`
/// came first, 1 otherwise (LSP 3.17, `exit`).
///
/// Stdio is read and written by threads of their own with blocking calls rather than through
/// tokio's stdio, which hands every read and write to its blocking pool: under load those
/// hand-offs (two thread wake-ups each) cost more than the reads and writes.
pub fn run() -> ExitCode {
    limit_malloc_arenas();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("newsmark lsp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let out = Arc::new(output::Output::with_sink(stdout_sink()));
    let writer = std::thread::Builder::new()
        .name("newsmark-stdout".into())
        .spawn({
            let out = out.clone();
            move || out.run_writer()
        });
    let handle = rt.handle().clone();
    let start_input = move |feed: tokio::io::DuplexStream,
                            mut intake: ordered::Intake|
          -> Box<dyn FnOnce() + Send> {
        let reader = std::thread::Builder::new()
            .name("newsmark-stdin".into())
            .spawn(move || {
                handle.block_on(framing::sanitize_with(
                    framing::BlockingRead(std::io::stdin()),
                    feed,
                    &mut intake,
                ))
            });
        if let Err(e) = reader {
            eprintln!("newsmark lsp: cannot start the input thread: {e}");
        }
        // Blocked in a read of stdin: it ends with the process.
        Box::new(|| {})
    };
    let clean = rt.block_on(serve_on(start_input, out, std::future::ready(())));
    if let Ok(w) = writer {
        let _ = w.join();
    }
    // Background work (indexing, watchers, a request waiting on a dead client) must not keep
    // the process alive once the client is gone.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    ExitCode::from(if clean { 0 } else { 1 })
}

/// Stdout for [`output::Output::with_sink`], unbuffered: `std::io::Stdout` is line-buffered,
/// which would split each batch of messages into two writes.
fn stdout_sink() -> Box<dyn std::io::Write + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        grow_pipe(1);
        // SAFETY: fd 1 is open for the life of the process and nothing else in the server
        // writes to it (logs go to stderr); the `File` owns it from here on.
        Box::new(unsafe { std::fs::File::from_raw_fd(1) })
    }
    #[cfg(not(unix))]
    {
        Box::new(std::io::stdout())
    }
}

/// Answers of a busy server run to megabytes a second (a completion list with its
/// documentation is ~30 KB): in a pipe of the default 64 KiB, the writer blocks and waits for
/// the client to read after every couple of answers, two thread switches each time. Ask for
/// the largest pipe an unprivileged process may have (1 MiB by default; ignored when `fd` is
/// not a pipe or the limit is lower).
fn grow_pipe(fd: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let max = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
            .ok()
            .and_then(|s| s.trim().parse::<libc::c_int>().ok())
            .unwrap_or(1 << 20)
            .min(1 << 20);
        // SAFETY: F_SETPIPE_SZ only resizes the pipe behind an open descriptor; it fails
        // harmlessly (EBADF, EPERM, EINVAL) when `fd` is not a pipe or the size is refused.
        unsafe {
            libc::fcntl(fd, libc::F_SETPIPE_SZ, max);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = fd;
}

/// glibc gives each thread that allocates its own arena (up to 8 per core) and rarely returns
/// their memory: analyses of a 1 MB document on the runtime's changing blocking threads grew
/// the server by ~250 MB of mostly free arena space. Two arenas keep the peak near what the
/// workspace holds, at no measurable cost in latency (few threads allocate at once here).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any thread is spawned.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_uris() {
        let uri: Uri = "file:///tmp/a%20b/%D0%BF.nmk".parse().unwrap();
        assert_eq!(key_of(&uri), "/tmp/a b/п.nmk");
        assert_eq!(key_of(&uri_of("/tmp/a b/п.nmk").unwrap()), "/tmp/a b/п.nmk");
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(key_of(&untitled), "untitled:Untitled-1");
        assert_eq!(uri_of("untitled:Untitled-1").unwrap(), untitled);
    }
}
