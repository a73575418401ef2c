//! Small HTTP servers on 127.0.0.1 that answer the provider one bad way each: a page that
//! never ends, a body of 110 MB, a body dripped a byte at a time, an id of `..`. Written
//! on plain sockets so a test controls every byte, and recording every request so a test
//! can check that the provider asked nothing it did not mean to.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Method.
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: String,
}

impl Seen {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer.
pub enum Reply {
    /// A whole answer: status, extra headers, body.
    Full(u16, Vec<(String, String)>, String),
    /// Headers and a declared length, then the body one byte per `every`.
    Drip(u16, String, Duration),
    /// A chunked body of `total` bytes made of `chunk` repeated, after `prefix`.
    Huge {
        /// Bytes first.
        prefix: String,
        /// Repeated.
        chunk: String,
        /// Roughly how many bytes in all.
        total: usize,
        /// Announce the size in Content-Length instead of chunking.
        declared: bool,
    },
    /// Waits, then answers.
    After(Duration, Box<Reply>),
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full(status, Vec::new(), body.to_string())
    }

    /// The success envelope around `data`.
    pub fn ok(status: u16, data: serde_json::Value) -> Reply {
        Reply::json(status, serde_json::json!({"success": true, "data": data}))
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A running hostile server.
pub struct Hostile {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A log source as the API would send it.
pub fn source(id: &str, name: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "tenantId": "tnt_h", "type": "splunk", "name": name,
        "sources": ["main"], "isActive": true, "createdAt": now()})
}

/// Now, as the API writes `createdAt`: a source made by the request answered is made now
/// (an older one reads as a replay of an earlier create).
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

impl Hostile {
    /// Serves `handler`, which gets each request and how many came before it.
    pub fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Hostile { addr, seen }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Answer",
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Seen>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let Some(req) = read_request(&mut reader) else {
        return;
    };
    let n = {
        let mut l = match log.lock() {
            Ok(l) => l,
            Err(p) => p.into_inner(),
        };
        l.push(req.clone());
        l.len() - 1
    };
    let _ = answer(stream, handler(&req, n));
}

fn answer(mut out: TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::After(wait, then) => {
            std::thread::sleep(wait);
            answer(out, *then)
        }
        Reply::Full(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(status),
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            out.write_all(head.as_bytes())?;
            out.write_all(body.as_bytes())
        }
        Reply::Drip(status, body, every) => {
            write!(
                out,
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reason(status),
                body.len()
            )?;
            for b in body.bytes() {
                out.write_all(&[b])?;
                out.flush()?;
                std::thread::sleep(every);
            }
            Ok(())
        }
        Reply::Huge {
            prefix,
            chunk,
            total,
            declared,
        } => {
            if declared {
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n"
                )?;
                out.write_all(prefix.as_bytes())?;
                let mut sent = prefix.len();
                while sent < total {
                    out.write_all(chunk.as_bytes())?;
                    sent += chunk.len();
                }
                return Ok(());
            }
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )?;
            let mut send = |bytes: &[u8]| -> std::io::Result<()> {
                write!(out, "{:x}\r\n", bytes.len())?;
                out.write_all(bytes)?;
                out.write_all(b"\r\n")
            };
            send(prefix.as_bytes())?;
            let mut sent = prefix.len();
            while sent < total {
                send(chunk.as_bytes())?;
                sent += chunk.len();
            }
            out.write_all(b"0\r\n\r\n")
        }
    }
}
