//! The admin API over HTTP under `/__emulator/` (JSON in, JSON out).

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::admin::{Admin, ClientConfig, MintToken, RevokeFilter, ServiceAccountOptions};
use crate::errors::{google_error, not_found};
use crate::faults::Fault;
use crate::oauth::Consent;
use crate::reply::Reply;
use crate::state::Shared;

#[derive(Deserialize)]
struct Email {
    email: String,
}

#[derive(Deserialize)]
struct Lifetime {
    seconds: u64,
}

#[derive(Deserialize)]
struct ConsentBody {
    client_id: String,
    consent: Consent,
}

#[derive(Deserialize)]
struct CallBody {
    #[serde(default = "default_user")]
    user: String,
    method: String,
    path: String,
    #[serde(default)]
    query: Vec<(String, String)>,
    body: Option<Value>,
}

fn default_user() -> String {
    crate::oauth::store::DEFAULT_USER.into()
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}" as &[u8]
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        Reply::json(
            400,
            &google_error(
                400,
                "global",
                "parseError",
                &format!("Invalid admin request: {e}"),
            ),
        )
    })
}

fn ok(v: Value) -> Reply {
    Reply::json(200, &v)
}

fn unknown_client() -> Reply {
    Reply::json(
        404,
        &google_error(404, "global", "notFound", "Unknown client_id."),
    )
}

pub fn handle(
    shared: &std::sync::Arc<Shared>,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> Reply {
    let admin = Admin {
        shared: shared.clone(),
    };
    let route = path.trim_start_matches("/__emulator").trim_end_matches('/');
    let result: Result<Reply, Reply> = (|| {
        Ok(match (method, route) {
            ("GET", "" | "/urls") => ok(serde_json::to_value(admin.urls()).unwrap_or_default()),
            ("GET", "/connections") => {
                ok(serde_json::to_value(admin.connection_stats()).unwrap_or_default())
            }
            ("POST", "/clients") => {
                let c: ClientConfig = parse(body)?;
                let answer = json!({"client_id": c.client_id, "client_secret": c.client_secret});
                admin.add_client(c);
                ok(answer)
            }
            ("POST", "/users") => {
                let e: Email = parse(body)?;
                admin.add_user(&e.email);
                ok(json!({"email": e.email}))
            }
            ("POST", "/service_accounts") => {
                ok(admin.add_service_account(parse::<ServiceAccountOptions>(body)?))
            }
            ("POST", "/token_lifetime") => {
                let l: Lifetime = parse(body)?;
                admin.set_access_token_lifetime(l.seconds);
                ok(json!({"seconds": l.seconds}))
            }
            ("POST", "/expire_access_tokens") => {
                admin.expire_access_tokens();
                ok(json!({}))
            }
            ("POST", "/expire_auth_codes") => {
                admin.expire_auth_codes();
                ok(json!({}))
            }
            ("POST", "/revoke") => {
                ok(json!({"revoked": admin.revoke_grants(parse::<RevokeFilter>(body)?)}))
            }
            ("POST", "/tokens") => match admin.mint_token(parse::<MintToken>(body)?) {
                Some(answer) => ok(answer),
                None => unknown_client(),
            },
            ("POST", "/consent") | ("POST", "/consent/queue") => {
                let c: ConsentBody = parse(body)?;
                let known = if route == "/consent" {
                    admin.set_consent(&c.client_id, c.consent)
                } else {
                    admin.queue_consent(&c.client_id, c.consent)
                };
                if known {
                    ok(json!({}))
                } else {
                    unknown_client()
                }
            }
            ("POST", "/faults") => ok(json!({"id": admin.add_fault(parse::<Fault>(body)?)})),
            ("GET", "/faults") => ok(json!({"faults": admin.faults()})),
            ("DELETE", "/faults") => {
                admin.clear_faults();
                ok(json!({}))
            }
            ("DELETE", r) if r.starts_with("/faults/") => {
                match r["/faults/".len()..]
                    .parse::<u64>()
                    .ok()
                    .filter(|id| admin.remove_fault(*id))
                {
                    Some(_) => ok(json!({})),
                    None => Reply::json(404, &not_found(path)),
                }
            }
            ("GET", "/requests") => {
                let total = admin.request_total();
                let params = crate::util::parse_pairs(query);
                let since = crate::util::first(&params, "since").and_then(|v| v.parse().ok());
                let mut requests = match since {
                    Some(s) => admin.requests_since(s),
                    None => admin.requests(),
                };
                if let Some(limit) =
                    crate::util::first(&params, "limit").and_then(|v| v.parse::<usize>().ok())
                {
                    requests.drain(..requests.len().saturating_sub(limit));
                }
                ok(json!({"total": total, "requests": requests}))
            }
            ("DELETE", "/requests") => {
                admin.clear_requests();
                ok(json!({}))
            }
            ("GET", "/notifications") => ok(json!({"notifications": admin.notifications()})),
            ("DELETE", "/notifications") => {
                admin.clear_notifications();
                ok(json!({}))
            }
            ("POST", "/expire_sync_tokens") => {
                admin.expire_sync_tokens();
                ok(json!({}))
            }
            ("POST", "/reset") => {
                admin.reset();
                ok(json!({}))
            }
            ("POST", "/call") => {
                let c: CallBody = parse(body)?;
                let query: Vec<(&str, &str)> = c
                    .query
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let (status, body) =
                    admin.call(&c.user, &c.method, &c.path, &query, c.body.as_ref());
                ok(json!({"status": status, "body": body}))
            }
            _ => Reply::json(404, &not_found(path)),
        })
    })();
    result.unwrap_or_else(|e| e)
}
