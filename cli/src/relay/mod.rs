//! The consent relay behind `qgcal relay`: a stateless HTTP service at one public redirect URI that
//! sends the browser on from the OAuth server to the instance that started the consent.
//!
//! The instance's library puts its return address in the `state` (`qorus_gcal::oauth::relay_state`);
//! the relay reads it, forwards only to addresses its allow-list permits, and keeps nothing, so any
//! number of copies can run behind a load balancer. It logs only the OAuth server's host (from the state)
//! and the outcome: never the code, the state or the return address.
//!
//! The parsers are plain functions, usable as fuzz targets: `query::parse_query`,
//! `allow::AllowList::parse` / `check`, `forward` (the whole decision), and the library's
//! `RelayState::decode`.

pub mod allow;
pub mod query;
pub mod server;

use qorus_gcal::oauth::relay_state::RelayState;
use url::Url;

pub use allow::AllowList;
pub use query::{MAX_QUERY_LEN, Outcome, parse_query};

/// Why a redirect was not forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    TooLarge,
    Malformed,
    NoState,
    BadState,
    NotAllowed,
}

impl Refusal {
    pub fn log_name(self) -> &'static str {
        match self {
            Refusal::TooLarge => "too-large",
            Refusal::Malformed => "malformed",
            Refusal::NoState => "no-state",
            Refusal::BadState => "bad-state",
            Refusal::NotAllowed => "not-allowed",
        }
    }

    /// What the refusal page says. Fixed text: nothing from the request is echoed.
    pub fn explanation(self) -> &'static str {
        match self {
            Refusal::TooLarge => "This sign-in answer is too large.",
            Refusal::Malformed => {
                "This is not a sign-in answer from an OAuth server: it needs a state and either a code or an error."
            }
            Refusal::NoState | Refusal::BadState => {
                "This sign-in answer does not say where to continue. Start the sign-in again from your Qorus instance."
            }
            Refusal::NotAllowed => {
                "This relay does not forward sign-ins to that address. Ask the relay's operator to allow your instance's address."
            }
        }
    }
}

/// A redirect the relay sends on.
pub struct Forward {
    /// The instance's return address with the OAuth server's parameters.
    pub location: Url,
    /// The OAuth server's host, as the state names it.
    pub server: String,
    pub outcome: Outcome,
}

/// The relay's decision for a redirect's query: forward (where to, and what to log), or refuse (why,
/// and the server's host when the state was readable).
pub fn forward(allow: &AllowList, query: &str) -> Result<Forward, (Refusal, Option<String>)> {
    let redirect = parse_query(query).map_err(|r| (r, None))?;
    let state = RelayState::decode(&redirect.state).map_err(|_| (Refusal::BadState, None))?;
    let mut location = allow
        .check(&state.return_url)
        .ok_or_else(|| (Refusal::NotAllowed, Some(state.server.clone())))?;
    location
        .query_pairs_mut()
        .extend_pairs(redirect.forwarded.iter());
    Ok(Forward {
        location,
        server: state.server,
        outcome: redirect.outcome,
    })
}

/// A relay's configuration.
pub struct Relay {
    pub allow: AllowList,
    /// The path of the relay's redirect URI (what the OAuth server redirects to).
    pub callback_path: String,
}

/// Where the relay answers its health checks.
pub const HEALTH_PATH: &str = "/healthz";

/// An HTTP answer, before it becomes one.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: &'static str,
    pub body: String,
    /// The log line, for redirects: `server=<host> forwarded=<outcome>` or `server=<host|-> refused=<why>`.
    pub log: Option<String>,
}

impl Answer {
    fn text(status: u16, body: &str) -> Answer {
        Answer {
            status,
            location: None,
            content_type: "text/plain; charset=utf-8",
            body: format!("{body}\n"),
            log: None,
        }
    }
}

impl Relay {
    /// Answers one request.
    pub fn answer(&self, method: &str, path: &str, query: Option<&str>) -> Answer {
        if path != self.callback_path && path != HEALTH_PATH {
            return Answer::text(404, "not found");
        }
        if method != "GET" && method != "HEAD" {
            return Answer::text(405, "only GET");
        }
        if path == HEALTH_PATH {
            return Answer::text(200, "ok");
        }
        match forward(&self.allow, query.unwrap_or("")) {
            Ok(f) => Answer {
                status: 303,
                location: Some(f.location.to_string()),
                content_type: "text/plain; charset=utf-8",
                body: String::new(),
                log: Some(format!(
                    "server={} forwarded={}",
                    f.server,
                    f.outcome.log_name()
                )),
            },
            Err((refusal, server)) => Answer {
                status: 400,
                location: None,
                content_type: "text/html; charset=utf-8",
                body: format!(
                    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign-in not forwarded</title></head>\
                     <body><h1>Sign-in not forwarded</h1><p>{}</p></body></html>\n",
                    refusal.explanation()
                ),
                log: Some(format!(
                    "server={} refused={}",
                    server.as_deref().unwrap_or("-"),
                    refusal.log_name()
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay() -> Relay {
        Relay {
            allow: AllowList::parse(["https://*.example.com/qorus/*"]).unwrap(),
            callback_path: "/oauth2/callback".into(),
        }
    }

    fn state(return_url: &str) -> String {
        RelayState {
            nonce: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            return_url: return_url.into(),
            server: "accounts.google.com".into(),
        }
        .encode()
    }

    #[test]
    fn a_redirect_is_forwarded_with_its_parameters_and_logged_without_them() {
        let s = state("https://q.example.com/qorus/cb");
        let query = format!("state={s}&code=4%2Fsecret-code&scope=x&junk=1");
        let a = relay().answer("GET", "/oauth2/callback", Some(&query));
        assert_eq!(a.status, 303, "{}", a.body);
        let location = Url::parse(a.location.as_deref().unwrap()).unwrap();
        assert_eq!(location.path(), "/qorus/cb");
        let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("state".to_string(), s.clone()),
                ("code".to_string(), "4/secret-code".to_string()),
                ("scope".to_string(), "x".to_string()),
            ]
        );
        let log = a.log.unwrap();
        assert_eq!(log, "server=accounts.google.com forwarded=code");

        let denied = format!("error=access_denied&state={s}");
        let a = relay().answer("GET", "/oauth2/callback", Some(&denied));
        assert_eq!(a.status, 303);
        assert!(a.location.unwrap().contains("error=access_denied"));
        assert_eq!(
            a.log.unwrap(),
            "server=accounts.google.com forwarded=error:access_denied"
        );
    }

    #[test]
    fn foreign_addresses_and_bad_states_get_a_plain_page() {
        let foreign = format!(
            "state={}&code=c",
            state("https://evil.example.net/qorus/cb")
        );
        let a = relay().answer("GET", "/oauth2/callback", Some(&foreign));
        assert_eq!(a.status, 400);
        assert_eq!(a.location, None);
        assert!(!a.body.contains("evil"), "nothing echoed: {}", a.body);
        assert!(a.body.contains("does not forward"));
        assert_eq!(
            a.log.unwrap(),
            "server=accounts.google.com refused=not-allowed"
        );

        for (query, why) in [
            (None, "no-state"),
            (Some("code=c&state=plain"), "bad-state"),
            (Some("state=a&state=b&code=c"), "malformed"),
        ] {
            let a = relay().answer("GET", "/oauth2/callback", query);
            assert_eq!(a.status, 400);
            assert_eq!(a.log.unwrap(), format!("server=- refused={why}"));
        }
    }

    #[test]
    fn health_unknown_paths_and_methods() {
        let r = relay();
        assert_eq!(r.answer("GET", "/healthz", None).status, 200);
        assert_eq!(r.answer("HEAD", "/healthz", None).status, 200);
        assert_eq!(r.answer("GET", "/", None).status, 404);
        assert_eq!(r.answer("GET", "/oauth2/callback/x", None).status, 404);
        assert_eq!(r.answer("POST", "/oauth2/callback", None).status, 405);
        assert_eq!(r.answer("GET", "/healthz", None).log, None);
    }
}
