//! The device-code endpoint `/device/code`: Calendar scopes are refused, as Google does.

use serde_json::json;

use crate::errors::oauth_error;
use crate::oauth::scopes;
use crate::reply::Reply;
use crate::state::Shared;
use crate::util::{first, random_token};

pub fn device_code(shared: &Shared, form: &[(String, String)]) -> Reply {
    let client_id = first(form, "client_id").unwrap_or("");
    if !shared.oauth.lock().clients.contains_key(client_id) {
        return Reply::json(
            401,
            &oauth_error("invalid_client", "The OAuth client was not found."),
        );
    }
    let requested = scopes::split(first(form, "scope").unwrap_or(""));
    if requested.is_empty() {
        return Reply::json(
            400,
            &oauth_error("invalid_request", "Missing required parameter: scope"),
        );
    }
    if let Some(bad) = requested
        .iter()
        .find(|s| scopes::is_calendar(s) || !scopes::is_known(s))
    {
        return Reply::json(
            400,
            &oauth_error(
                "invalid_scope",
                &format!("Invalid device flow scope: {bad}"),
            ),
        );
    }
    Reply::json(
        200,
        &json!({
            "device_code": random_token("AH-emu-"),
            "user_code": "EMU-LATR",
            "expires_in": 1800,
            "interval": 5,
            "verification_url": format!("{}/device", shared.urls.base_url),
        }),
    )
}
