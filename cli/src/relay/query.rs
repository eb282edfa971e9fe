//! Reading the OAuth server's redirect to the relay: `state`, and `code` or `error`.

use qorus_gcal::oauth::relay_state::MAX_STATE_LEN;

use super::Refusal;

/// The longest query the relay reads. Google's answers are a few hundred bytes (a state up to
/// `MAX_STATE_LEN`, a code under 100, the granted scopes).
pub const MAX_QUERY_LEN: usize = 4096;

/// What is passed on to the instance: an authorization response's parameters (RFC 6749 4.1.2, RFC 9207's
/// `iss`) and Google's additions. Anything else is dropped.
const FORWARDED: &[&str] = &[
    "state",
    "code",
    "scope",
    "error",
    "error_description",
    "error_uri",
    "iss",
    "authuser",
    "hd",
    "prompt",
];

/// A redirect the relay understood. (No `Debug`: it holds the code and the state.)
pub struct Redirect {
    pub state: String,
    pub outcome: Outcome,
    /// The parameters to pass on, decoded, in the order they came.
    pub forwarded: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The user consented: the query has a `code`.
    Code,
    /// The OAuth server answered `error` (e.g. `access_denied`).
    Error(String),
}

impl Outcome {
    /// How the outcome is logged: `code`, or `error:<error>` when the error is a plain OAuth error code
    /// (anything else is `error:other`, so nobody can write into the relay's log).
    pub fn log_name(&self) -> String {
        match self {
            Outcome::Code => "code".into(),
            Outcome::Error(e)
                if (1..=40).contains(&e.len())
                    && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                format!("error:{e}")
            }
            Outcome::Error(_) => "error:other".into(),
        }
    }
}

/// Parses the query of a redirect (without the `?`). Refuses oversized queries, a repeated or missing
/// `state`, and answers with both or neither of `code` and `error`.
pub fn parse_query(query: &str) -> Result<Redirect, Refusal> {
    if query.len() > MAX_QUERY_LEN {
        return Err(Refusal::TooLarge);
    }
    let mut forwarded: Vec<(String, String)> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if !FORWARDED.contains(&key.as_ref()) {
            continue;
        }
        if forwarded.iter().any(|(k, _)| *k == key) {
            return Err(Refusal::Malformed);
        }
        forwarded.push((key.into_owned(), value.into_owned()));
    }
    let get = |name: &str| {
        forwarded
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let state = match get("state") {
        None | Some("") => return Err(Refusal::NoState),
        Some(s) if s.len() > MAX_STATE_LEN => return Err(Refusal::TooLarge),
        Some(s) => s.to_string(),
    };
    let outcome = match (get("code"), get("error")) {
        (Some(code), None) if !code.is_empty() => Outcome::Code,
        (None, Some(error)) if !error.is_empty() => Outcome::Error(error.to_string()),
        _ => return Err(Refusal::Malformed),
    };
    Ok(Redirect {
        state,
        outcome,
        forwarded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(query: &str) -> Refusal {
        parse_query(query).err().expect(query)
    }

    #[test]
    fn googles_answers_are_read_and_only_their_parameters_kept() {
        let r = parse_query(
            "state=v1.abc&iss=https%3A%2F%2Faccounts.google.com&code=4%2F0Ab&scope=a+b&authuser=0&prompt=consent&utm=x",
        )
        .unwrap();
        assert_eq!(r.state, "v1.abc");
        assert_eq!(r.outcome, Outcome::Code);
        let keys: Vec<&str> = r.forwarded.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["state", "iss", "code", "scope", "authuser", "prompt"]
        );
        assert_eq!(r.forwarded[2].1, "4/0Ab", "values are decoded once");
        assert_eq!(r.forwarded[3].1, "a b");

        let denied = parse_query("error=access_denied&state=s").unwrap();
        assert_eq!(denied.outcome, Outcome::Error("access_denied".into()));
        assert_eq!(denied.outcome.log_name(), "error:access_denied");
        assert_eq!(
            Outcome::Error("x\ny".into()).log_name(),
            "error:other",
            "the log takes no arbitrary text"
        );
    }

    #[test]
    fn malformed_and_oversized_queries_are_refused() {
        assert_eq!(refusal(""), Refusal::NoState);
        assert_eq!(refusal("code=c"), Refusal::NoState);
        assert_eq!(refusal("code=c&state="), Refusal::NoState);
        assert_eq!(refusal("state=s"), Refusal::Malformed);
        assert_eq!(refusal("state=s&code="), Refusal::Malformed);
        assert_eq!(refusal("state=s&code=c&error=e"), Refusal::Malformed);
        assert_eq!(refusal("state=s&state=t&code=c"), Refusal::Malformed);
        assert_eq!(refusal("state=s&code=c&code=d"), Refusal::Malformed);
        let long_state = format!("code=c&state={}", "a".repeat(MAX_STATE_LEN + 1));
        assert_eq!(refusal(&long_state), Refusal::TooLarge);
        let long_query = format!("code=c&state=s&pad={}", "a".repeat(MAX_QUERY_LEN));
        assert_eq!(refusal(&long_query), Refusal::TooLarge);
        // Not UTF-8 once decoded: replaced, still a well-formed (if useless) state.
        assert!(parse_query("code=c&state=%FF").is_ok());
    }
}
