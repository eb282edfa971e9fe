//! *.watch and channels.stop: push channels and the notifications they produce.

use super::error::{ApiError, R, invalid, not_found, required};
use super::timeutil::fmt_rfc1123;
use super::{ApiResponse, Calendars, Ctx, Notification, no_content, ok};
use serde_json::{Map, Value};

const DEFAULT_TTL_MS: i64 = 7 * 86_400_000;

pub(crate) struct Channel {
    pub id: String,
    pub resource_id: String,
    pub key: String,
    pub address: String,
    pub token: Option<String>,
    pub expiration: i64,
    pub messages: u64,
    pub user: String,
    pub uri: String,
}

impl Channel {
    fn notification(&mut self, state: &str) -> Notification {
        self.messages += 1;
        let mut h = vec![("X-Goog-Channel-ID".to_string(), self.id.clone())];
        if let Some(t) = &self.token {
            h.push(("X-Goog-Channel-Token".into(), t.clone()));
        }
        h.push((
            "X-Goog-Channel-Expiration".into(),
            fmt_rfc1123(self.expiration),
        ));
        h.push(("X-Goog-Message-Number".into(), self.messages.to_string()));
        h.push(("X-Goog-Resource-ID".into(), self.resource_id.clone()));
        h.push(("X-Goog-Resource-State".into(), state.into()));
        h.push(("X-Goog-Resource-URI".into(), self.uri.clone()));
        Notification {
            address: self.address.clone(),
            headers: h,
        }
    }
}

/// Opaque, stable id of a watched collection (FNV-1a, twice).
fn resource_id(key: &str) -> String {
    let mut out = String::new();
    for seed in [0xcbf2_9ce4_8422_2325u64, 0x8422_2325_cbf2_9ce4] {
        let mut h = seed;
        for b in key.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// https anywhere, http only to this machine.
fn address_ok(addr: &str) -> bool {
    let scheme = |n: usize| addr.get(..n).map(str::to_ascii_lowercase);
    if addr.len() > 8 && scheme(8).as_deref() == Some("https://") {
        return true;
    }
    let Some(rest) = addr
        .get(7..)
        .filter(|_| scheme(7).as_deref() == Some("http://"))
    else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost") || host.starts_with("127.") || host == "::1"
}

fn expiration_of(body: &Map<String, Value>, now: i64) -> R<i64> {
    let explicit = match body.get("expiration") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            s.parse::<i64>()
                .map_err(|_| invalid("Invalid expiration."))?,
        ),
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| invalid("Invalid expiration."))?),
        Some(_) => return Err(invalid("Invalid expiration.")),
    };
    let ttl = body
        .get("params")
        .and_then(|p| p.get("ttl"))
        .and_then(|t| {
            t.as_str()
                .map(str::to_string)
                .or_else(|| t.as_i64().map(|n| n.to_string()))
        })
        .map(|t| t.parse::<i64>().map_err(|_| invalid("Invalid params.ttl.")))
        .transpose()?;
    Ok(match (explicit, ttl) {
        (Some(e), _) if e <= now => return Err(invalid("The expiration is in the past.")),
        (Some(e), _) => e,
        (None, Some(t)) => now.saturating_add(t.saturating_mul(1000)),
        (None, None) => now + DEFAULT_TTL_MS,
    })
}

impl Calendars {
    pub(crate) fn watch(&mut self, ctx: &Ctx, kind: &str) -> R<ApiResponse> {
        let key = match kind {
            "events" => format!(
                "events|{}",
                self.access(ctx.user, ctx.var("calendarId"), 1)?
            ),
            "acl" => format!("acl|{}", self.access(ctx.user, ctx.var("calendarId"), 4)?),
            other => format!("{other}|{}", ctx.user),
        };
        let b = &ctx.body;
        let id = b
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| required("Missing channel id."))?;
        if id.len() > 64
            || !id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_+/=".contains(&c))
        {
            return Err(invalid("Invalid channel id."));
        }
        let kind_ok = b.get("type").and_then(Value::as_str).is_some_and(|t| {
            t.eq_ignore_ascii_case("web_hook") || t.eq_ignore_ascii_case("webhook")
        });
        if !kind_ok {
            return Err(invalid("Unsupported channel type; use web_hook."));
        }
        let address = b
            .get("address")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| required("Missing channel address."))?;
        if !address_ok(address) {
            return Err(ApiError::new(
                400,
                "push.webhookUrlNotHttps",
                format!("WebHook callback must be HTTPS: {address}"),
            ));
        }
        if self
            .channels
            .get(id)
            .is_some_and(|c| c.expiration > ctx.now)
        {
            return Err(ApiError::new(
                400,
                "channelIdNotUnique",
                "Channel id not unique",
            ));
        }
        let expiration = expiration_of(b, ctx.now)?;
        let list_path = ctx.req.path.strip_suffix("/watch").unwrap_or(ctx.req.path);
        let mut ch = Channel {
            id: id.to_string(),
            resource_id: resource_id(&key),
            key,
            address: address.to_string(),
            token: b.get("token").and_then(Value::as_str).map(str::to_string),
            expiration,
            messages: 0,
            user: ctx.user.to_string(),
            uri: format!("https://www.googleapis.com/calendar/v3{list_path}?alt=json"),
        };
        let mut answer = Map::new();
        answer.insert("kind".into(), "api#channel".into());
        answer.insert("id".into(), ch.id.clone().into());
        answer.insert("resourceId".into(), ch.resource_id.clone().into());
        answer.insert("resourceUri".into(), ch.uri.clone().into());
        if let Some(t) = &ch.token {
            answer.insert("token".into(), t.clone().into());
        }
        answer.insert("expiration".into(), ch.expiration.to_string().into());
        let sync = ch.notification("sync");
        self.channels.insert(ch.id.clone(), ch);
        let mut resp = ok(Value::Object(answer));
        resp.notifications.push(sync);
        Ok(resp)
    }

    pub(crate) fn channel_stop(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let id = ctx
            .body
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| required("Missing channel id."))?;
        let rid = ctx.body.get("resourceId").and_then(Value::as_str);
        let found = self
            .channels
            .get(id)
            .is_some_and(|c| c.user == ctx.user && rid.is_none_or(|r| r == c.resource_id));
        if !found {
            return Err(not_found());
        }
        self.channels.remove(id);
        Ok(no_content())
    }

    /// Notifications for every live channel watching a collection this call changed.
    pub(crate) fn flush_notifications(&mut self, now: i64) -> Vec<Notification> {
        let mut out = Vec::new();
        self.channels.retain(|_, c| c.expiration > now);
        // Without channels there is nothing to send; `touched` keeps its buffer for the next call.
        if self.touched.is_empty() || self.channels.is_empty() {
            return out;
        }
        let mut ids: Vec<String> = self.channels.keys().cloned().collect();
        ids.sort();
        let touched = std::mem::take(&mut self.touched);
        for id in ids {
            let Some(ch) = self.channels.get_mut(&id) else {
                continue;
            };
            if let Some((_, gone)) = touched.iter().find(|(k, _)| *k == ch.key) {
                out.push(ch.notification(if *gone { "not_exists" } else { "exists" }));
                if *gone {
                    self.channels.remove(&id);
                }
            }
        }
        out
    }
}
