//! The two clients under test, both pointed at one in-process emulator: the library's blocking API
//! (the same block-on-the-runtime path the C ABI takes) and a bare reqwest client, the limit.

use std::sync::OnceLock;

use gcal_emulator::{Emulator, MintToken};
use qorus_gcal::BlockingClient;
use serde_json::{Value, json};

pub struct Target {
    pub urls: gcal_emulator::Urls,
    pub access_token: String,
    pub refresh_token: String,
}

pub fn token(emu: &Emulator) -> (String, String) {
    let answer = emu
        .admin()
        .mint_token(MintToken {
            offline: true,
            ..MintToken::default()
        })
        .expect("the default client exists");
    (
        answer["access_token"].as_str().unwrap_or_default().into(),
        answer["refresh_token"].as_str().unwrap_or_default().into(),
    )
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The library config for this target; `expired` makes the access token stale so the first call refreshes.
pub fn config(t: &Target, expired: bool) -> String {
    let expires_at = if expired { now() - 10 } else { now() + 3000 };
    json!({
        "client_id": gcal_emulator::DEFAULT_CLIENT_ID,
        "client_secret": gcal_emulator::DEFAULT_CLIENT_SECRET,
        "endpoints": {"auth_url": t.urls.auth_url, "token_url": t.urls.token_url, "revoke_url": t.urls.revoke_url,
                      "api_base_url": t.urls.api_base_url, "batch_url": t.urls.batch_url},
        "token": {"access_token": t.access_token, "refresh_token": t.refresh_token, "expires_at": expires_at,
                  "token_type": "Bearer"},
    })
    .to_string()
}

pub fn library(t: &Target) -> BlockingClient {
    BlockingClient::from_json(&config(t, false)).expect("library client")
}

/// A bare reqwest client on its own runtime, issuing the same HTTP requests as the library: gzip asked
/// for as Google requires ("(gzip)" in the User-Agent, `Accept-Encoding: gzip`) and `prettyPrint=false`.
pub struct Raw {
    pub http: reqwest::Client,
    pub auth: String,
    pub api: String,
    pub user_agent: String,
    /// Adds `prettyPrint=false`; off for [`Raw::uncompressed`].
    compact: bool,
}

fn raw_runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

impl Raw {
    pub fn new(t: &Target) -> Raw {
        Raw::with(t, true)
    }

    /// The requests the library sent before it asked for gzip and compact JSON (row 8's "before").
    pub fn uncompressed(t: &Target) -> Raw {
        Raw::with(t, false)
    }

    fn with(t: &Target, compressed: bool) -> Raw {
        let _guard = raw_runtime().enter();
        let user_agent = qorus_gcal::config::default_user_agent();
        Raw {
            http: reqwest::Client::builder()
                .no_proxy()
                .gzip(compressed)
                .build()
                .expect("reqwest"),
            auth: format!("Bearer {}", t.access_token),
            user_agent: if compressed {
                format!("{user_agent} (gzip)")
            } else {
                user_agent
            },
            api: t.urls.api_base_url.clone(),
            compact: compressed,
        }
    }

    /// GET `path` (relative to the API base) and parse the JSON answer, as the library does.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let mut url =
            reqwest::Url::parse_with_params(&format!("{}{path}", self.api), query).expect("URL");
        if self.compact {
            url.query_pairs_mut().append_pair("prettyPrint", "false");
        }
        let req = self
            .http
            .get(url)
            .header("authorization", &self.auth)
            // The library's own headers, so both send identical requests.
            .header("accept", "application/json")
            .header("user-agent", &self.user_agent);
        let fut = async move {
            let resp = req.send().await.expect("raw send");
            assert!(resp.status().is_success(), "raw GET {}", resp.status());
            let bytes = resp.bytes().await.expect("raw body");
            serde_json::from_slice::<Value>(&bytes).expect("raw JSON")
        };
        // Diagnostic: hand the request to the runtime and wait, as the library's blocking API does, to
        // tell the cost of that hand-off from the library's own work.
        if std::env::var_os("QGCAL_BENCH_RAW_SPAWN").is_some() {
            let (tx, rx) = std::sync::mpsc::channel();
            raw_runtime().spawn(async move {
                let _ = tx.send(fut.await);
            });
            return rx.recv().expect("spawned");
        }
        raw_runtime().block_on(fut)
    }
}

pub fn event(i: usize) -> Value {
    json!({"summary": format!("bench event {i}"),
           "start": {"dateTime": "2030-01-15T10:00:00Z"}, "end": {"dateTime": "2030-01-15T11:00:00Z"}})
}
