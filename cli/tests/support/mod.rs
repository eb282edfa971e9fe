//! For the relay tests: the `qgcal relay` process, an instance's callback listener, a browser that
//! follows redirects, and a library client against the emulator.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gcal_emulator::testing::{HttpResponse, request};
use gcal_emulator::{ClientConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator};
use qorus_gcal::BlockingClient;
use qorus_gcal::oauth::consent::{ExternalOptions, Session};
use serde_json::{Value, json};

/// What the test relays forward to: any loopback port, paths under /qorus/.
pub const ALLOW: &str = "http://127.0.0.1:*/qorus/*";
pub const CALLBACK_PATH: &str = "/oauth2/callback";

/// A running `qgcal relay`.
pub struct Relay {
    child: Child,
    pub addr: String,
    stderr: Arc<Mutex<String>>,
    stderr_done: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    /// Starts one on `127.0.0.1:port` (0: a free port) with the allow-list given by flag.
    pub fn start(port: u16) -> Relay {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qgcal"));
        cmd.args([
            "relay",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--allow",
            ALLOW,
        ]);
        Relay::spawn(cmd)
    }

    /// Starts one configured only by the environment, as a container would be.
    pub fn start_from_env(port: u16) -> Relay {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qgcal"));
        cmd.arg("relay")
            .env("QGCAL_RELAY_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "QGCAL_RELAY_ALLOW",
                format!("https://*.example.com/qorus/*,{ALLOW}"),
            );
        Relay::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Relay {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run qgcal relay");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut pipe = child.stderr.take().unwrap();
        let stderr_done = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the relay's first line");
        let started: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
            let status = child.wait().expect("relay exit");
            panic!("the relay did not start ({status}): {line:?}")
        });
        assert_eq!(started["callback_path"], CALLBACK_PATH);
        Relay {
            child,
            addr: started["addr"].as_str().unwrap().to_string(),
            stderr,
            stderr_done: Some(stderr_done),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// The relay's redirect URI.
    pub fn url(&self) -> String {
        format!("http://{}{CALLBACK_PATH}", self.addr)
    }

    /// SIGTERM, then the exit status and everything it logged.
    pub fn stop(mut self) -> (ExitStatus, String) {
        // SAFETY: signalling our own child, which has not been reaped.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let status = self.child.wait().expect("relay exit");
        if let Some(done) = self.stderr_done.take() {
            done.join().unwrap();
        }
        (status, self.stderr.lock().unwrap().clone())
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An instance's web endpoint: records every request and answers a small page.
pub struct Instance {
    pub port: u16,
    requests: Mutex<Receiver<String>>,
    stop: Arc<AtomicBool>,
}

pub const INSTANCE_PAGE: &str = "Consent received by the instance";

impl Instance {
    pub fn start() -> Instance {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                if let Some(target) = read_target(&mut stream) {
                    let found = target.starts_with("/qorus/");
                    let (status, body) = if found {
                        (
                            "200 OK",
                            format!(
                                "<!doctype html><title>{INSTANCE_PAGE}</title><p id=\"done\">{INSTANCE_PAGE}</p>"
                            ),
                        )
                    } else {
                        ("404 Not Found", "not found".to_string())
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    if found {
                        let _ = tx.send(target);
                    }
                }
            }
        });
        Instance {
            port,
            requests: Mutex::new(rx),
            stop,
        }
    }

    /// The instance's return address at `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn callback_url(&self) -> String {
        self.url("/qorus/oauth2/callback")
    }

    /// The next URL the browser arrived at (under /qorus/).
    pub fn next_arrival(&self, timeout: Duration) -> Option<String> {
        let target = self.requests.lock().unwrap().recv_timeout(timeout).ok()?;
        Some(self.url(&target))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The request target of one HTTP request (its head only).
fn read_target(stream: &mut TcpStream) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    head.split_whitespace().nth(1).map(str::to_string)
}

/// One hop a browser made.
pub struct Hop {
    pub url: String,
    pub answer: HttpResponse,
}

/// GETs `url` and follows redirects as a browser does, up to 5 hops; the last hop is the first
/// non-redirect answer (or a connection failure's panic).
pub fn follow(url: &str) -> Vec<Hop> {
    let mut hops: Vec<Hop> = Vec::new();
    let mut next = url.to_string();
    for _ in 0..5 {
        let answer = request("GET", &next, &[("Accept", "*/*")], b"")
            .unwrap_or_else(|e| panic!("GET {next}: {e}"));
        let location = answer.header("location").map(str::to_string);
        let redirect = (300..400).contains(&answer.status);
        hops.push(Hop {
            url: next.clone(),
            answer,
        });
        match location {
            Some(l) if redirect => next = l,
            _ => return hops,
        }
    }
    panic!("more than 5 redirects from {url}");
}

/// Opens the consent page and answers where it redirects the browser, without going there.
pub fn consent_page(url: &str) -> String {
    let page = request("GET", url, &[], b"").expect("the consent page");
    assert_eq!(page.status, 302, "{}", page.text());
    page.header("location").expect("a redirect").to_string()
}

/// The emulator, with the relay URL registered for the default client.
pub fn emulator(relay_url: &str) -> Emulator {
    let emulator = Emulator::start();
    let mut client = ClientConfig::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    client.redirect_uris = vec![relay_url.to_string()];
    emulator.admin().add_client(client);
    emulator
}

/// A library client using the emulator's endpoints and its default OAuth client.
pub fn client(emulator: &Emulator) -> BlockingClient {
    let urls = emulator.urls();
    BlockingClient::from_json(
        &json!({
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "endpoints": {
                "auth_url": urls.auth_url,
                "token_url": urls.token_url,
                "revoke_url": urls.revoke_url,
                "api_base_url": urls.api_base_url,
                "batch_url": urls.batch_url,
            },
        })
        .to_string(),
    )
    .unwrap()
}

/// Starts a relayed consent: answers the consent URL and the session, as the host keeps it (JSON).
pub fn start(client: &BlockingClient, return_url: &str, relay_url: &str) -> (String, Session) {
    let options = ExternalOptions::from_json(
        &json!({"redirect_uri": return_url, "relay_url": relay_url}).to_string(),
    )
    .unwrap();
    let (url, session) = client.consent_start_external(&options).unwrap();
    (
        url.to_string(),
        Session::from_json(&session.to_json()).unwrap(),
    )
}

/// A query parameter of a URL, decoded.
pub fn param(url: &str, name: &str) -> Option<String> {
    gcal_emulator::testing::query_params(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
