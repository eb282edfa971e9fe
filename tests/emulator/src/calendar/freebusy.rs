//! freebusy.query: busy intervals of opaque, confirmed events.

use super::error::{ApiError, R, invalid, required};
use super::event_render::{occ_span, stamp};
use super::rrule;
use super::store::{Cal, OrderedId};
use super::timeutil::{fmt_secs, parse_rfc3339};
use super::{ApiResponse, Calendars, Ctx, ok};
use serde_json::{Map, Value, json};

fn busy(cal: &Cal, lo: i64, hi: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let opaque = |e: &super::store::Event| {
        !e.cancelled && e.data.get_str("transparency") != Some("transparent")
    };
    let from = (lo.saturating_sub(cal.max_dur + 1), OrderedId::lowest());
    for (ms, id) in cal.by_start.range(from..) {
        if *ms >= hi {
            break;
        }
        let e = &cal.events[id.as_str()];
        if opaque(e) && e.end_ms > lo {
            out.push((e.start_ms.max(lo), e.end_ms.min(hi)));
        }
    }
    for id in &cal.recurring {
        let e = &cal.events[id];
        if let (true, Some(s)) = (opaque(e), &e.series) {
            rrule::expand(&s.rule, s.tz, s.first, hi, |occ| {
                let (a, b) = occ_span(s, &occ);
                if a < hi && b > lo && !s.cancelled(&stamp(&occ)) {
                    out.push((a.max(lo), b.min(hi)));
                }
                true
            });
        }
    }
    out.sort();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in out {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

impl Calendars {
    pub(crate) fn freebusy(&mut self, ctx: &Ctx) -> R<ApiResponse> {
        let get = |k: &str| -> R<(String, i64)> {
            let s = ctx
                .body
                .get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| required(format!("Missing {k}.")))?;
            let ms = parse_rfc3339(s).ok_or_else(|| invalid(format!("Invalid {k}.")))?;
            Ok((s.to_string(), ms))
        };
        let (min_s, lo) = get("timeMin")?;
        let (max_s, hi) = get("timeMax")?;
        if hi <= lo {
            return Err(ApiError::new(
                400,
                "timeRangeEmpty",
                "The specified time range is empty.",
            ));
        }
        let items = ctx
            .body
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if items.len() > 50 {
            return Err(invalid("Too many calendars requested (at most 50)."));
        }
        let mut cals = Map::new();
        for item in items {
            let Some(raw) = item.get("id").and_then(Value::as_str) else {
                return Err(required("Missing calendar id."));
            };
            let entry = match self.access(ctx.user, raw, 1) {
                Ok(id) => {
                    let b: Vec<Value> = busy(&self.cals[&id], lo, hi)
                        .into_iter()
                        .map(|(a, b)| json!({"start": fmt_secs(a), "end": fmt_secs(b)}))
                        .collect();
                    json!({"busy": b})
                }
                Err(_) => {
                    json!({"errors": [{"domain": "global", "reason": "notFound"}], "busy": []})
                }
            };
            cals.insert(raw.to_string(), entry);
        }
        Ok(ok(json!({
            "kind": "calendar#freeBusy",
            "timeMin": min_s,
            "timeMax": max_s,
            "calendars": cals,
        })))
    }
}
