//! A hostile HTTP/1.1 server on loopback for the transport's tests: it records what it receives and
//! answers as each test tells it to (redirects, endless bodies, bodies cut short, echoes, silence).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer.
pub(crate) enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// This head (status line and headers, without the blank line), then body bytes without end (until
    /// the client goes away, or `ENDLESS_STOP` bytes, so that a client without a cap does not hang the
    /// test forever).
    Endless(String),
    /// Never answer (hold the connection open).
    Silence,
}

/// An "endless" body ends here, far past any cap under test.
pub(crate) const ENDLESS_STOP: u64 = 256 * 1024 * 1024;

type Handler = Arc<dyn Fn(&Seen, usize) -> Reply + Send + Sync>;

pub(crate) struct Hostile {
    pub(crate) url: String,
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    written: Arc<AtomicU64>,
}

impl Hostile {
    /// Starts a server answering the `n`th request (from 0) with `handler(request, n)`.
    pub(crate) async fn start(
        handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let written = Arc::new(AtomicU64::new(0));
        let handler: Handler = Arc::new(handler);
        {
            let (seen, written) = (seen.clone(), written.clone());
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (seen, written, handler) = (seen.clone(), written.clone(), handler.clone());
                    tokio::spawn(serve(stream, seen, written, handler));
                }
            });
        }
        Self {
            url: format!("http://{addr}"),
            addr,
            seen,
            written,
        }
    }

    /// A server that records and answers 200 `{}` to everything.
    pub(crate) async fn recorder() -> Self {
        Self::start(|_, _| json(200, "{}")).await
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Body bytes written by `Endless` replies.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    written: Arc<AtomicU64>,
    handler: Handler,
) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    match handler(&request, index) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Endless(head) => {
            if stream
                .write_all(format!("{head}\r\n\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            while written.load(Ordering::SeqCst) < ENDLESS_STOP {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
                written.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
            let _ = stream.shutdown().await;
        }
        Reply::Silence => {
            std::future::pending::<()>().await;
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

/// A whole answer with these headers and body.
pub(crate) fn reply(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut head = format!("HTTP/1.1 {status} Whatever\r\nConnection: close\r\n");
    for (name, value) in headers {
        head += &format!("{name}: {value}\r\n");
    }
    head += &format!("Content-Length: {}\r\n\r\n", body.len());
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    Reply::Raw(bytes)
}

/// A JSON answer.
pub(crate) fn json(status: u16, body: &str) -> Reply {
    reply(
        status,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// A head that promises `length` bytes, and only `sent` of them before the connection closes.
pub(crate) fn cut_short(length: usize, sent: &[u8]) -> Reply {
    let mut bytes = format!(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    .into_bytes();
    bytes.extend_from_slice(sent);
    Reply::Raw(bytes)
}
