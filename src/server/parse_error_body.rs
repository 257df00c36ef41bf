//! JSON bodies for the answers hyper writes by itself: a request it cannot parse (400), a URI
//! too long (414) or a head over the buffer (431) is answered before any of our code runs, with
//! an empty body. The API promises `{error, message}` for every error, so this stream wrapper
//! recognises those heads as they are written and writes the same head with a JSON body.
//!
//! hyper's head is exactly `HTTP/1.1 <status> <reason>\r\nconnection: close\r\ncontent-length:
//! 0\r\n…\r\n\r\n` (hyper 1, `proto::h1::role::Server::on_error`); every answer of ours carries a
//! `content-type`, so a 4xx head with an empty body and no `content-type` can only be hyper's.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `S` on which hyper's bare parse-error answers get a JSON body.
#[derive(Debug)]
pub struct ParseErrorBody<S> {
    inner: S,
    /// The rewritten answer, still to be written, and how much of it is out.
    pending: Vec<u8>,
    written: usize,
}

impl<S> ParseErrorBody<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        ParseErrorBody {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }

    /// The inner stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

/// The JSON answer replacing `head` when it is one of hyper's bare error heads.
///
/// ```
/// # use urbaclic::server::parse_error_body::rewrite;
/// let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Thu, 03 Dec 2026 17:33:51 GMT\r\n\r\n";
/// let answer = String::from_utf8(rewrite(head).unwrap()).unwrap();
/// assert!(answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
/// assert!(answer.ends_with(r#"{"error":"headers_too_large","message":"en-têtes de requête trop volumineux"}"#));
/// // An answer of ours (it has a content type) is left alone.
/// assert!(rewrite(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}").is_none());
/// ```
pub fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != head.len() {
        return None;
    }
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let (code, message) = match status_line.get(..12)? {
        "HTTP/1.1 400" => ("bad_request", "requête HTTP illisible"),
        "HTTP/1.1 414" => ("uri_too_long", "adresse (URI) de la requête trop longue"),
        "HTTP/1.1 431" => ("headers_too_large", "en-têtes de requête trop volumineux"),
        _ => return None,
    };
    let headers: Vec<&str> = lines.collect();
    let bare = headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("content-length: 0"))
        && !headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("content-type:"));
    if !bare {
        return None;
    }
    let body = format!(r#"{{"error":"{code}","message":"{message}"}}"#);
    let mut out = format!("{status_line}\r\n");
    for h in headers {
        if h.eq_ignore_ascii_case("content-length: 0") {
            out.push_str(&format!("content-length: {}\r\n", body.len()));
        } else {
            out.push_str(h);
            out.push_str("\r\n");
        }
    }
    out.push_str("content-type: application/json\r\n\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl<S: AsyncWrite + Unpin> ParseErrorBody<S> {
    /// Writes what is left of a rewritten answer; ready once it is all out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` as written when it is a bare error head: its replacement is queued instead.
    fn intercept(&mut self, buf: &[u8]) -> bool {
        if !buf.starts_with(b"HTTP/1.1 4") {
            return false;
        }
        match rewrite(buf) {
            Some(answer) => {
                self.pending = answer;
                self.written = 0;
                true
            }
            None => false,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ParseErrorBody<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ParseErrorBody<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        if self.intercept(buf) {
            let _ = self.drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        // hyper queues a head as its own buffer; an error head has no body after it.
        let mut written = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (written.next(), written.next()) {
            if self.intercept(only) {
                let _ = self.drain(cx)?;
                return Poll::Ready(Ok(only.len()));
            }
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
