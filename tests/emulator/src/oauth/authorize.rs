//! The consent endpoint `/o/oauth2/v2/auth`: validates the request, then plays the user.

use std::time::Instant;

use crate::oauth::scopes;
use crate::oauth::store::{AuthCode, Consent, DEFAULT_USER, PendingConsent};
use crate::reply::Reply;
use crate::state::Shared;
use crate::util::{encode_component, first, is_loopback_redirect, random_token};

fn error_page(status: u16, error: &str, detail: &str) -> Reply {
    let html = format!(
        "<!doctype html><html><head><title>Error {status}: {error}</title></head><body>\
         <h1>Access blocked: authorization error</h1><p>Error {status}: {error}</p><p>{}</p></body></html>\n",
        html_escape(detail)
    );
    Reply::text(status, "text/html; charset=utf-8", html)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Reply {
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    Reply::redirect(format!("{redirect_uri}{sep}{}", query.join("&")))
}

fn redirect_error(redirect_uri: &str, error: &str, state: Option<&str>) -> Reply {
    let mut params = vec![("error", error)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect_with(redirect_uri, &params)
}

fn valid_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// GET (or POST) `/o/oauth2/v2/auth`.
pub fn authorize(shared: &Shared, params: &[(String, String)], wants_html: bool) -> Reply {
    let client_id = first(params, "client_id").unwrap_or("");
    let redirect_uri = first(params, "redirect_uri").unwrap_or("");
    let state = first(params, "state");
    {
        let oauth = shared.oauth.lock();
        let Some(client) = oauth.clients.get(client_id) else {
            return error_page(401, "invalid_client", "The OAuth client was not found.");
        };
        let registered = client.redirect_uris.iter().any(|u| u == redirect_uri);
        if redirect_uri.is_empty() || !(registered || is_loopback_redirect(redirect_uri)) {
            return error_page(
                400,
                "redirect_uri_mismatch",
                &format!(
                    "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri={redirect_uri}"
                ),
            );
        }
    }
    if first(params, "response_type") != Some("code") {
        return redirect_error(redirect_uri, "unsupported_response_type", state);
    }
    let requested = scopes::split(first(params, "scope").unwrap_or(""));
    if requested.is_empty() || !requested.iter().all(|s| scopes::is_known(s)) {
        return redirect_error(redirect_uri, "invalid_scope", state);
    }
    let challenge = match (
        first(params, "code_challenge"),
        first(params, "code_challenge_method"),
    ) {
        (None, None) => None,
        (None, Some(_)) => return redirect_error(redirect_uri, "invalid_request", state),
        (Some(c), method) => {
            let method = method.unwrap_or("plain");
            if !(method == "S256" || method == "plain") || !valid_pkce_string(c) {
                return redirect_error(redirect_uri, "invalid_request", state);
            }
            Some((method.to_string(), c.to_string()))
        }
    };
    let user = match first(params, "login_hint") {
        Some(hint) if shared.calendars.lock().has_user(hint) => hint.to_string(),
        _ => DEFAULT_USER.to_string(),
    };
    let code = AuthCode {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        challenge,
        scopes: requested,
        user,
        offline: first(params, "access_type") == Some("offline"),
        prompt_consent: first(params, "prompt")
            .is_some_and(|p| p.split(' ').any(|w| w == "consent")),
        issued: Instant::now(),
        expired: false,
        used_by: None,
        include_granted: first(params, "include_granted_scopes") == Some("true"),
        nonce: first(params, "nonce").map(str::to_string),
    };
    let decision = shared.oauth.lock().next_consent(client_id);
    match decision {
        Consent::Interactive if wants_html => consent_page(shared, code, state),
        Consent::Interactive | Consent::Approve => approve(shared, code, state, None),
        Consent::Deny => redirect_error(redirect_uri, "access_denied", state),
        Consent::Partial(only) => approve(shared, code, state, Some(&only)),
    }
}

/// Stores the code and redirects with it; `only` narrows the granted scopes.
fn approve(
    shared: &Shared,
    mut code: AuthCode,
    state: Option<&str>,
    only: Option<&[String]>,
) -> Reply {
    if let Some(only) = only {
        code.scopes.retain(|s| only.contains(s));
        if code.scopes.is_empty() {
            return redirect_error(&code.redirect_uri, "access_denied", state);
        }
    }
    if code.include_granted {
        // Incremental authorization: the new grant also carries what this client already holds.
        let oauth = shared.oauth.lock();
        let held = oauth
            .grants
            .values()
            .filter(|g| g.client_id == code.client_id && *g.user == *code.user);
        for g in held {
            for s in g.scopes.iter() {
                if !code.scopes.contains(s) {
                    code.scopes.push(s.clone());
                }
            }
        }
    }
    let value = random_token("4/emu-");
    let redirect_uri = code.redirect_uri.clone();
    let scope = code.scopes.join(" ");
    shared.oauth.lock().codes.insert(value.clone(), code);
    let mut params = Vec::new();
    if let Some(s) = state {
        params.push(("state", s));
    }
    params.push(("code", value.as_str()));
    params.push(("scope", scope.as_str()));
    redirect_with(&redirect_uri, &params)
}

fn consent_page(shared: &Shared, code: AuthCode, state: Option<&str>) -> Reply {
    let id = random_token("");
    let scopes_html: String = code
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", html_escape(s)))
        .collect();
    let html = format!(
        "<!doctype html><html><head><title>Sign in - Google Accounts (emulator)</title></head><body>\
         <h1>{client} wants to access your Google Account</h1><p>{user}</p><ul>{scopes_html}</ul>\
         <form method=\"post\" action=\"/o/oauth2/v2/auth/decision\">\
         <input type=\"hidden\" name=\"id\" value=\"{id}\">\
         <button name=\"decision\" value=\"deny\">Cancel</button> \
         <button name=\"decision\" value=\"allow\">Allow</button></form></body></html>\n",
        client = html_escape(&code.client_id),
        user = html_escape(&code.user),
    );
    shared.oauth.lock().pending.insert(
        id,
        PendingConsent {
            redirect_uri: code.redirect_uri.clone(),
            state: state.map(str::to_string),
            code,
        },
    );
    Reply::text(200, "text/html; charset=utf-8", html)
}

/// POST `/o/oauth2/v2/auth/decision` from the consent page.
pub fn decision(shared: &Shared, form: &[(String, String)]) -> Reply {
    let id = first(form, "id").unwrap_or("");
    let Some(p) = shared.oauth.lock().pending.remove(id) else {
        return error_page(
            400,
            "invalid_request",
            "This consent request is unknown or was already answered.",
        );
    };
    if first(form, "decision") == Some("allow") {
        approve(shared, p.code, p.state.as_deref(), None)
    } else {
        redirect_error(&p.redirect_uri, "access_denied", p.state.as_deref())
    }
}
