//! Adapts reqwest 0.13 to the oauth2 crate's HTTP client trait (oauth2 5 ships one for reqwest 0.12).

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpClientError, HttpRequest, HttpResponse};

use crate::http::Http;

/// The library's HTTP client as the oauth2 crate sees it. Server errors (5xx, 429) come back as
/// `HttpClientError::Other` so that callers can tell them apart and retry them.
pub struct OAuthHttp<'a>(pub &'a Http);

pub const SERVER_ERROR_PREFIX: &str = "token endpoint answered HTTP ";
/// Follows the status when the answer carried `Retry-After`: ` (Retry-After: 5)`.
pub const RETRY_AFTER_MARK: &str = " (Retry-After: ";

impl<'c> AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = url::Url::parse(&parts.uri.to_string())
                .map_err(|e| HttpClientError::Other(format!("bad token URL: {e}")))?;
            let response = self
                .0
                .request(parts.method, url)
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(Box::new)?;
            let status = response.status();
            if status.is_server_error() || status.as_u16() == 429 {
                // oauth2 passes only text through: the wait the server asked for rides along in it.
                let wait = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| format!("{RETRY_AFTER_MARK}{v})"))
                    .unwrap_or_default();
                return Err(HttpClientError::Other(format!(
                    "{SERVER_ERROR_PREFIX}{}{wait}",
                    status.as_u16()
                )));
            }
            let mut builder = oauth2::http::Response::builder().status(status);
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?;
            builder.body(body.to_vec()).map_err(HttpClientError::Http)
        })
    }
}
