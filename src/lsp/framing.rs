//! Message framing in front of tower-lsp-server's reader.
//!
//! tower-lsp-server answers the first frame it cannot decode with a parse error, but then its
//! read loop ends for good: tokio-util's `FramedRead` ends the stream after a decoder error. One
//! malformed message (bad JSON, a missing `Content-Length`, a body that is not a JSON-RPC
//! message) would leave the server deaf. So the input passes through [`sanitize`] first: well
//! formed frames go through unchanged; each malformed one is replaced by a [`MALFORMED`]
//! request that [`super::ordered`] answers with the JSON-RPC error (`-32700` parse error or
//! `-32600` invalid request, with the request's id when one can be read, else `null`) and logs.
//! The reader then resynchronises on the next `Content-Length` header.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method of the request that stands for a malformed message.
pub const MALFORMED: &str = "$/newsmark/malformedMessage";

/// Larger messages are skipped unread (a 100 MB document fits; the whole message is held in
/// memory several times over while it is decoded).
pub const MAX_MESSAGE: usize = 256 << 20;

/// A header line longer than this is garbage.
const MAX_HEADER_LINE: usize = 8 << 10;

/// JSON-RPC error codes.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;

/// What a well-formed frame or a replacement says.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A JSON-RPC message, to pass on unchanged.
    Message(Vec<u8>),
    /// A malformed message: the error to answer with.
    Malformed {
        code: i64,
        message: String,
        id: Option<Value>,
    },
}

impl Frame {
    /// The bytes handed to tower-lsp-server.
    fn encode(&self) -> Vec<u8> {
        let body = match self {
            Frame::Message(b) => return framed(b),
            Frame::Malformed { code, message, id } => json!({
                "jsonrpc": "2.0",
                "id": id.clone().unwrap_or(Value::Null),
                "method": MALFORMED,
                "params": { "code": code, "message": message },
            }),
        };
        framed(&serde_json::to_vec(&body).unwrap_or_default())
    }
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Classify a frame's body as tower-lsp-server would decode it.
pub fn check_body(body: Vec<u8>) -> Frame {
    check_request(body).0
}

/// [`check_body`], with the request when the body decodes as one (a response does too: its
/// `method` defaults to empty; see [`is_response`]).
fn check_request(body: Vec<u8>) -> (Frame, Option<Request>) {
    if let Ok(req) = serde_json::from_slice::<Request>(&body) {
        return (Frame::Message(body), Some(req));
    }
    if serde_json::from_slice::<Response>(&body).is_ok() {
        return (Frame::Message(body), None);
    }
    let frame = match serde_json::from_slice::<Value>(&body) {
        Err(e) => Frame::Malformed {
            code: PARSE_ERROR,
            message: format!("malformed message: not JSON: {e}"),
            id: None,
        },
        Ok(v) => {
            // Answer a broken request under its own id so that the client stops waiting.
            let id = v
                .get("method")
                .and(v.get("id"))
                .filter(|id| id.is_i64() || id.is_string())
                .cloned();
            Frame::Malformed {
                code: INVALID_REQUEST,
                message: "malformed message: not a JSON-RPC 2.0 request, notification or \
                          response (it needs \"jsonrpc\": \"2.0\" and a string \"method\" or an \
                          \"id\" with a \"result\" or \"error\")"
                    .into(),
                id,
            }
        }
    };
    (frame, None)
}

/// Whether tower-lsp-server takes a well-formed body for a response (it tries that first):
/// only a body with a `result` or an `error` can be one.
pub fn is_response(body: &[u8]) -> bool {
    use serde::de::{Deserialize, Deserializer, IgnoredAny};
    fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        IgnoredAny::deserialize(d).map(|_| true)
    }
    #[derive(serde::Deserialize)]
    struct Keys {
        #[serde(default, deserialize_with = "present")]
        result: bool,
        #[serde(default, deserialize_with = "present")]
        error: bool,
    }
    serde_json::from_slice::<Keys>(body).is_ok_and(|k| k.result || k.error)
        && serde_json::from_slice::<Response>(body).is_ok()
}

/// Reads frames from a byte stream; never fails on any bytes.
pub struct FrameReader<R> {
    r: BufReader<R>,
    line: Vec<u8>,
    /// The input ended (or failed): no more frames.
    done: bool,
    /// A frame found together with the one just returned (garbage, then a good header).
    pending: Option<usize>,
    limit: usize,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader {
            r: BufReader::with_capacity(64 << 10, input),
            line: Vec::new(),
            done: false,
            pending: None,
            limit: MAX_MESSAGE,
        }
    }

    /// With another size limit than [`MAX_MESSAGE`].
    pub fn with_limit(input: R, limit: usize) -> FrameReader<R> {
        FrameReader {
            limit,
            ..FrameReader::new(input)
        }
    }

    /// The next well-formed message or malformed one; `None` once the input has ended.
    pub async fn next(&mut self) -> Option<Frame> {
        self.next_request().await.map(|(f, _)| f)
    }

    /// [`FrameReader::next`], with the body decoded as a request when it is one.
    async fn next_request(&mut self) -> Option<(Frame, Option<Request>)> {
        if self.done {
            return None;
        }
        let len = match self.pending.take() {
            Some(len) => len,
            None => match self.header().await? {
                Ok(len) => len,
                Err(frame) => return Some((frame, None)),
            },
        };
        if len > self.limit {
            // Skip the body without holding it.
            let skipped =
                tokio::io::copy(&mut (&mut self.r).take(len as u64), &mut tokio::io::sink())
                    .await
                    .unwrap_or(0);
            self.done = skipped < len as u64;
            return Some((
                Frame::Malformed {
                    code: INVALID_REQUEST,
                    message: format!(
                        "message of {len} bytes skipped: larger than the limit of {} bytes",
                        self.limit
                    ),
                    id: None,
                },
                None,
            ));
        }
        // Room for the body at once (growing it piecemeal showed in profiles under load), up
        // to a bound: a length is only a claim until the bytes arrive.
        let mut body = Vec::with_capacity(len.min(1 << 20));
        match (&mut self.r).take(len as u64).read_to_end(&mut body).await {
            Ok(n) if n == len => Some(check_request(body)),
            // The input ended inside the body: nothing more will come.
            _ => {
                self.done = true;
                let frame = Frame::Malformed {
                    code: PARSE_ERROR,
                    message: format!(
                        "malformed message: input ended after {} of {len} bytes",
                        body.len()
                    ),
                    id: None,
                };
                Some((frame, None))
            }
        }
    }

    /// Read one header block: the body length, or the error to answer; `None` at the end.
    async fn header(&mut self) -> Option<Result<usize, Frame>> {
        let mut length: Option<Result<usize, String>> = None;
        let mut garbage = false;
        let mut any = false;
        loop {
            self.line.clear();
            let n = (&mut self.r)
                .take(MAX_HEADER_LINE as u64)
                .read_until(b'\n', &mut self.line)
                .await
                .unwrap_or_default();
            if n == 0 {
                self.done = true;
                return any.then(|| {
                    Err(Frame::Malformed {
                        code: PARSE_ERROR,
                        message: "malformed message: input ended inside a header".into(),
                        id: None,
                    })
                });
            }
            if !self.line.ends_with(b"\n") && n == MAX_HEADER_LINE {
                // An overlong line: skip to its end.
                garbage = true;
                any = true;
                loop {
                    self.line.clear();
                    match (&mut self.r)
                        .take(1 << 16)
                        .read_until(b'\n', &mut self.line)
                        .await
                    {
                        Ok(0) | Err(_) => {
                            self.done = true;
                            return Some(Err(malformed_header(length, garbage)));
                        }
                        Ok(_) if self.line.ends_with(b"\n") => break,
                        Ok(_) => {}
                    }
                }
                continue;
            }
            let text = trim_eol(&self.line);
            if text.is_empty() {
                if any {
                    break;
                }
                // Blank lines between messages are tolerated.
                continue;
            }
            any = true;
            // Resynchronise on a header that follows garbage on the same line.
            let header = match find(text, b"Content-Length") {
                Some(0) | None => text,
                Some(i) => {
                    garbage = true;
                    &text[i..]
                }
            };
            let Some(colon) = header.iter().position(|&b| b == b':') else {
                garbage = true;
                continue;
            };
            let (name, value) = (&header[..colon], &header[colon + 1..]);
            if name.eq_ignore_ascii_case(b"content-length") {
                let v = String::from_utf8_lossy(value).trim().to_string();
                length = Some(
                    v.parse::<usize>()
                        .map_err(|_| format!("invalid Content-Length {v:?}")),
                );
            } else if !name.iter().all(|b| b.is_ascii_graphic()) {
                garbage = true;
            }
        }
        Some(match length {
            Some(Ok(len)) if !garbage => Ok(len),
            Some(Ok(len)) => {
                // Garbage before a good header: report it, then read the message.
                self.pending = Some(len);
                Err(malformed_header(None, true))
            }
            other => Err(malformed_header(other, garbage)),
        })
    }
}

fn malformed_header(length: Option<Result<usize, String>>, garbage: bool) -> Frame {
    let message = match length {
        Some(Err(e)) => format!("malformed message header: {e}"),
        _ if garbage => "malformed message: bytes that are not LSP headers were skipped".into(),
        _ => "malformed message header: no Content-Length".into(),
    };
    Frame::Malformed {
        code: PARSE_ERROR,
        message,
        id: None,
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A blocking reader as an `AsyncRead` whose reads block: only for a thread of its own that
/// runs nothing else (the server's stdin thread, see [`super::run`]).
pub struct BlockingRead<R>(pub R);

impl<R: std::io::Read + Unpin> AsyncRead for BlockingRead<R> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let n = loop {
            match self.0.read(buf.initialize_unfilled()) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        std::task::Poll::Ready(n.map(|n| buf.advance(n)))
    }
}

/// Copy `input` to `output` frame by frame, replacing malformed frames (see the module docs).
/// Returns when `input` ends or `output` is closed; dropping `output` then ends the server's
/// input.
pub async fn sanitize<R, W>(input: R, output: W)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    sanitize_with(input, output, &mut PassAll).await
}

/// Sees every frame, in wire order, before it is passed on, and may keep it.
pub(crate) trait Intercept {
    /// `req`: the frame's body decoded as a request, if it is one (see [`check_body`]).
    /// Returns true when the frame was handled here and must not be passed on.
    fn take(
        &mut self,
        frame: &Frame,
        req: Option<Request>,
    ) -> impl std::future::Future<Output = bool>;
}

struct PassAll;

impl Intercept for PassAll {
    async fn take(&mut self, _: &Frame, _: Option<Request>) -> bool {
        false
    }
}

/// [`sanitize`], offering each frame to `intercept` first.
pub(crate) async fn sanitize_with<R, W, I>(input: R, mut output: W, intercept: &mut I)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    I: Intercept,
{
    let mut frames = FrameReader::new(input);
    while let Some((f, req)) = frames.next_request().await {
        if let Frame::Malformed { code, message, .. } = &f {
            eprintln!("newsmark lsp: {message} (answered with error {code})");
        }
        if intercept.take(&f, req).await {
            continue;
        }
        if output.write_all(&f.encode()).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> Vec<u8> {
        framed(body.as_bytes())
    }

    async fn frames_with_limit(input: Vec<u8>, limit: usize) -> Vec<Frame> {
        let mut r = FrameReader::with_limit(&input[..], limit);
        let mut out = Vec::new();
        while let Some(f) = r.next().await {
            out.push(f);
        }
        out
    }

    async fn frames(input: Vec<u8>) -> Vec<Frame> {
        frames_with_limit(input, MAX_MESSAGE).await
    }

    const SHUTDOWN: &str = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;

    fn is_shutdown(f: &Frame) -> bool {
        *f == Frame::Message(SHUTDOWN.as_bytes().to_vec())
    }

    fn error_code(f: &Frame) -> i64 {
        match f {
            Frame::Malformed { code, .. } => *code,
            other => panic!("expected a malformed frame, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn good_frames_pass_unchanged() {
        let mut input = msg(SHUTDOWN);
        input.extend(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
        input.extend(msg(r#"{"jsonrpc":"2.0","result":null,"id":1}"#));
        let out = frames(input).await;
        assert_eq!(out.len(), 2);
        assert!(is_shutdown(&out[0]));
        assert!(matches!(&out[1], Frame::Message(b) if b.starts_with(b"{\"jsonrpc\"")));
    }

    #[tokio::test]
    async fn bad_json_is_a_parse_error_and_reading_goes_on() {
        let mut input = msg(r#"{"jsonrpc": "2.0", "id": 1, "method": "#);
        input.extend(msg(SHUTDOWN));
        let out = frames(input).await;
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(error_code(&out[0]), PARSE_ERROR);
        assert!(is_shutdown(&out[1]));
    }

    #[tokio::test]
    async fn not_utf8_is_a_parse_error() {
        let mut input = framed(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}");
        input.extend(msg(SHUTDOWN));
        let out = frames(input).await;
        assert_eq!(error_code(&out[0]), PARSE_ERROR);
        assert!(is_shutdown(&out[1]));
    }

    #[tokio::test]
    async fn json_that_is_not_json_rpc_is_an_invalid_request_under_its_id() {
        let mut input = msg(r#"{"jsonrpc":"1.0","id":"x","method":"initialize"}"#);
        input.extend(msg(r#"[1, 2, 3]"#));
        input.extend(msg(SHUTDOWN));
        let out = frames(input).await;
        assert_eq!(out.len(), 3);
        match &out[0] {
            Frame::Malformed { code, id, .. } => {
                assert_eq!(*code, INVALID_REQUEST);
                assert_eq!(id, &Some(json!("x")));
            }
            f => panic!("{f:?}"),
        }
        assert!(matches!(
            &out[1],
            Frame::Malformed {
                code: INVALID_REQUEST,
                id: None,
                ..
            }
        ));
        assert!(is_shutdown(&out[2]));
    }

    #[tokio::test]
    async fn missing_or_invalid_content_length() {
        let mut input = b"Content-Type: application/json\r\n\r\n".to_vec();
        input.extend(b"Content-Length: twelve\r\n\r\n");
        input.extend(b"Content-Length: -1\r\n\r\n");
        input.extend(msg(SHUTDOWN));
        let out = frames(input).await;
        assert_eq!(out.len(), 4, "{out:?}");
        for f in &out[..3] {
            assert_eq!(error_code(f), PARSE_ERROR);
        }
        match &out[1] {
            Frame::Malformed { message, .. } => assert!(message.contains("twelve"), "{message}"),
            f => panic!("{f:?}"),
        }
        assert!(is_shutdown(&out[3]));
    }

    #[tokio::test]
    async fn too_short_a_length_resynchronises_on_the_next_header() {
        let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10).into_bytes();
        input.extend(msg(SHUTDOWN));
        let out = frames(input).await;
        // The cut body, the garbage left of it, then the next message intact.
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(error_code(&out[0]), PARSE_ERROR);
        assert_eq!(error_code(&out[1]), PARSE_ERROR);
        assert!(is_shutdown(&out[2]));
    }

    #[tokio::test]
    async fn garbage_and_overlong_lines_are_skipped() {
        let mut input = b"hello there\r\n\r\n".to_vec();
        input.extend(vec![b'x'; 3 * MAX_HEADER_LINE]);
        input.extend(b"\r\n\r\n");
        input.extend(msg(SHUTDOWN));
        let out = frames(input).await;
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(error_code(&out[0]), PARSE_ERROR);
        assert_eq!(error_code(&out[1]), PARSE_ERROR);
        assert!(is_shutdown(&out[2]));
    }

    #[tokio::test]
    async fn oversized_messages_are_skipped_unread() {
        let big = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":"{}"}}"#,
            "a".repeat(5000)
        );
        let mut input = msg(&big);
        input.extend(msg(SHUTDOWN));
        let out = frames_with_limit(input, 1000).await;
        assert_eq!(out.len(), 2);
        match &out[0] {
            Frame::Malformed { code, message, .. } => {
                assert_eq!(*code, INVALID_REQUEST);
                assert!(message.contains("limit of 1000 bytes"), "{message}");
            }
            f => panic!("{f:?}"),
        }
        assert!(is_shutdown(&out[1]));
    }

    #[tokio::test]
    async fn input_ending_inside_a_body_or_header() {
        let out = frames(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"".to_vec()).await;
        assert_eq!(out.len(), 1);
        assert_eq!(error_code(&out[0]), PARSE_ERROR);
        let out = frames(b"Content-Length: 10\r\n".to_vec()).await;
        assert_eq!(out.len(), 1);
        assert!(frames(Vec::new()).await.is_empty());
        assert!(frames(b"\r\n\r\n".to_vec()).await.is_empty());
    }

    #[tokio::test]
    async fn replacements_are_requests_the_server_can_decode() {
        let f = Frame::Malformed {
            code: PARSE_ERROR,
            message: "m".into(),
            id: Some(json!(3)),
        };
        let out = frames(f.encode()).await;
        let Frame::Message(body) = &out[0] else {
            panic!("{out:?}")
        };
        let req: Request = serde_json::from_slice(body).unwrap();
        assert_eq!(req.method(), MALFORMED);
        assert_eq!(req.id(), Some(&tower_lsp_server::jsonrpc::Id::Number(3)));
    }
}
