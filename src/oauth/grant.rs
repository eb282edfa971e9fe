//! Requests to the token endpoint: authorization-code exchange, refresh, service-account JWT bearer, and
//! revocation. Transport failures and server errors are retried with backoff.

use std::future::Future;
use std::time::SystemTime;

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, HttpClientError, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, StandardErrorResponse, TokenResponse, TokenUrl,
};
use serde::Deserialize;

use super::errors::{Grant, error_chain, oauth_error, transport_error};
use super::http_client::{OAuthHttp, RETRY_AFTER_MARK, SERVER_ERROR_PREFIX};
use crate::config::Config;
use crate::config::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::http::retry::parse_retry_after;
use crate::http::{Http, retry_delay};
use crate::secret::Secret;

type TokenError = RequestTokenError<
    HttpClientError<reqwest::Error>,
    StandardErrorResponse<BasicErrorResponseType>,
>;

pub use crate::config::token::now_unix;

fn oauth_client(config: &Config) -> Result<OAuthClient> {
    let client_id = config.client_id.clone().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            "this needs an OAuth client: set `client_id` (and `client_secret`) in the config",
        )
    })?;
    let mut client = BasicClient::new(ClientId::new(client_id))
        .set_token_uri(TokenUrl::from_url(config.endpoints.token_url.clone()))
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = &config.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
    }
    Ok(client)
}

type OAuthClient = BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// Exchanges an authorization code (with its PKCE verifier) for a token.
pub async fn exchange_code(
    http: &Http,
    config: &Config,
    code: &str,
    verifier: &Secret,
    redirect_uri: &str,
) -> Result<Token> {
    let client = oauth_client(config)?.set_redirect_uri(
        RedirectUrl::new(redirect_uri.to_string()).map_err(|e| {
            Error::invalid_argument(format!(
                "redirect URI '{}' is not a URL: {e}",
                crate::error::shown(redirect_uri)
            ))
        })?,
    );
    // A code is single-use: never retry the exchange itself once the server may have seen it.
    let response = match client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_string()))
        .request_async(&OAuthHttp(http))
        .await
    {
        Ok(response) => response,
        Err(e) => return Err(failed(http, e, Grant::AuthorizationCode).await),
    };
    Ok(token_from_response(&response, None, None))
}

/// Uses a refresh token. Google's answer usually has no new refresh token: the old one is kept.
pub async fn refresh(http: &Http, config: &Config, current: &Token) -> Result<Token> {
    let refresh_token = current
        .refresh_token
        .as_ref()
        .filter(|t| !t.is_empty())
        .ok_or_else(no_refresh_token)?;
    let client = oauth_client(config)?;
    let response = with_retries(config, || async {
        match client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.expose().to_string()))
            .request_async(&OAuthHttp(http))
            .await
        {
            Ok(response) => Ok(response),
            Err(e) => Err(failed(http, e, Grant::Refresh).await),
        }
    })
    .await?;
    Ok(token_from_response(
        &response,
        Some(refresh_token),
        current.scope.as_deref(),
    ))
}

pub fn no_refresh_token() -> Error {
    Error::new(
        ErrorKind::ConsentRequired,
        "no usable token: the access token is missing or expired and there is no refresh token; \
         run consent again or provide a fresh token",
    )
}

pub(crate) fn token_from_response(
    response: &BasicTokenResponse,
    old_refresh: Option<&Secret>,
    old_scope: Option<&str>,
) -> Token {
    let scope = response
        .scopes()
        .map(|s| {
            s.iter()
                .map(|scope| scope.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .or_else(|| old_scope.map(str::to_string));
    Token {
        access_token: Some(Secret::new(response.access_token().secret().clone())),
        refresh_token: response
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or_else(|| old_refresh.cloned()),
        expires_at: response
            .expires_in()
            .map(|d| now_unix().saturating_add(d.as_secs() as i64)),
        scope,
        token_type: "Bearer".to_string(),
    }
}

/// [`token_error`], told what a proxy said when it refused the tunnel.
async fn failed(http: &Http, error: TokenError, grant: Grant) -> Error {
    match &error {
        RequestTokenError::Request(HttpClientError::Reqwest(cause)) => {
            http.transport_error("the token request", cause).await
        }
        _ => token_error(error, grant),
    }
}

fn token_error(error: TokenError, grant: Grant) -> Error {
    match error {
        RequestTokenError::ServerResponse(response) => oauth_error(
            response.error().as_ref(),
            response.error_description().map(String::as_str),
            grant,
        ),
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => {
            transport_error("the token request", &e)
        }
        RequestTokenError::Request(HttpClientError::Other(message))
            if message.starts_with(SERVER_ERROR_PREFIX) =>
        {
            let rest = &message[SERVER_ERROR_PREFIX.len()..];
            let (status, wait) = rest.split_once(RETRY_AFTER_MARK).unwrap_or((rest, ""));
            let wait = wait
                .strip_suffix(')')
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let status = status.parse().unwrap_or(500);
            Error::new(ErrorKind::Http, message)
                .with_http_status(status)
                .with_retry_after(wait)
        }
        RequestTokenError::Request(other) => Error::new(
            ErrorKind::Network,
            format!("the token request failed: {}", error_chain(&other)),
        ),
        RequestTokenError::Parse(e, _) => Error::new(
            ErrorKind::Http,
            format!("the token endpoint answered something that is not a token response: {e}"),
        ),
        RequestTokenError::Other(message) => Error::new(
            ErrorKind::Http,
            format!("the token endpoint answered unexpectedly: {message}"),
        ),
    }
}

/// True for failures where asking again can help: no answer, or a server error.
fn transient(error: &Error) -> bool {
    matches!(error.kind(), ErrorKind::Network | ErrorKind::Timeout)
        || (error.kind() == ErrorKind::Http && error.http_status() >= 500)
        || error.http_status() == 429
}

/// Runs a token request, retrying transient failures with backoff as the config's retry policy says.
pub async fn with_retries<T, F, Fut>(config: &Config, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(e) if transient(&e) && tries < config.retry.max_attempts => {
                // Never sooner than the server's `Retry-After`, as for API calls.
                let delay = retry_delay(&config.retry, tries, e.retry_after());
                crate::observe::token_retry(tries, &e, delay);
                tokio::time::sleep(delay).await;
                tries += 1;
            }
            other => return other,
        }
    }
}

#[derive(Deserialize)]
struct RawTokenAnswer {
    access_token: Option<String>,
    expires_in: Option<i64>,
    scope: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Posts a form to an OAuth endpoint and reads the JSON answer; used where the oauth2 crate has no grant.
pub async fn post_token_form(
    http: &Http,
    url: &url::Url,
    form: &[(&str, &str)],
    grant: Grant,
) -> Result<Token> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = http
        .post(url.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(e) => return Err(http.transport_error("the token request", &e).await),
    };
    let status = response.status().as_u16();
    if status >= 500 || status == 429 {
        // Transient whatever the body says, and retried no sooner than the server asks.
        return Err(Error::new(
            ErrorKind::Http,
            format!("the token endpoint answered HTTP {status}"),
        )
        .with_http_status(status)
        .with_retry_after(crate::http::send::retry_after(response.headers())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| transport_error("reading the token answer", &e))?;
    token_answer(status, &bytes, grant)
}

/// Reads a token endpoint's JSON answer to [`post_token_form`] (apart, so it can be fuzzed).
pub(crate) fn token_answer(status: u16, bytes: &[u8], grant: Grant) -> Result<Token> {
    let answer: Option<RawTokenAnswer> = serde_json::from_slice(bytes).ok();
    match answer {
        Some(RawTokenAnswer {
            error: Some(code),
            error_description,
            ..
        }) => Err(oauth_error(&code, error_description.as_deref(), grant).with_http_status(status)),
        Some(RawTokenAnswer {
            access_token: Some(access_token),
            expires_in,
            scope,
            ..
        }) if (200..300).contains(&status) => Ok(Token {
            access_token: Some(Secret::new(access_token)),
            refresh_token: None,
            expires_at: expires_in.map(|s| now_unix().saturating_add(s)),
            scope,
            token_type: "Bearer".to_string(),
        }),
        _ => Err(Error::new(
            ErrorKind::Http,
            format!("the token endpoint answered HTTP {status} without a token"),
        )
        .with_http_status(status)),
    }
}

/// Revokes a token (and with it the whole grant). A token the server no longer knows counts as revoked.
pub async fn revoke(http: &Http, config: &Config, token: &Secret) -> Result<()> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token.expose())
        .finish();
    let response = with_retries(config, || async {
        let response = http
            .post(config.endpoints.revoke_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return Err(http.transport_error("the revoke request", &e).await),
        };
        let status = response.status().as_u16();
        if status >= 500 || status == 429 {
            return Err(Error::new(
                ErrorKind::Http,
                format!("the revoke endpoint answered HTTP {status}"),
            )
            .with_http_status(status)
            .with_retry_after(crate::http::send::retry_after(response.headers())));
        }
        Ok(response)
    })
    .await?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let bytes = response.bytes().await.unwrap_or_default();
    let answer: Option<RawTokenAnswer> = serde_json::from_slice(&bytes).ok();
    match answer.and_then(|a| a.error) {
        Some(code) if code == "invalid_token" => Ok(()),
        Some(code) => Err(Error::new(
            ErrorKind::AuthFailed,
            format!("the revoke endpoint refused: `{code}`"),
        )
        .with_http_status(status)
        .with_reason(code)),
        None => Err(Error::new(
            ErrorKind::Http,
            format!("the revoke endpoint answered HTTP {status}"),
        )
        .with_http_status(status)),
    }
}
