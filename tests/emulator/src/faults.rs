//! Scheduled faults: which requests they hit and what they do to them.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// When a dropped connection happens relative to applying the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropWhen {
    /// The connection closes before the request is applied: nothing changed.
    Before,
    /// The request is applied, then the connection closes: the write happened, the answer is lost.
    After,
}

/// Send the answer body in small chunks with pauses between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowBody {
    #[serde(default = "default_chunk")]
    pub chunk_bytes: usize,
    #[serde(default = "default_pause")]
    pub pause_ms: u64,
}

fn default_chunk() -> usize {
    16
}
fn default_pause() -> u64 {
    20
}

/// A fault: a filter (all given fields must match) plus effects.
///
/// Filters: `method` is a Calendar method id (`"events.list"`) or one of `"token"`, `"revoke"`,
/// `"batch"`, `"auth"`, `"device"`; `path_prefix` matches the request path; `http_method` the verb.
/// Effects run in this order: `delay_ms`, then `drop` `before`, then `status` (answered instead of the
/// request), else the request is applied with `page_limit`, then `drop` `after` or `slow_body`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    pub method: Option<String>,
    pub path_prefix: Option<String>,
    pub http_method: Option<String>,
    /// Answer this status with Google's error body instead of applying the request.
    pub status: Option<u16>,
    /// The error `reason` (default by status: 429/403 `rateLimitExceeded`, 500/503 `backendError`).
    pub reason: Option<String>,
    pub message: Option<String>,
    /// `Retry-After` seconds (429 and 503 default to 1).
    pub retry_after: Option<u64>,
    pub delay_ms: Option<u64>,
    pub drop: Option<DropWhen>,
    pub slow_body: Option<SlowBody>,
    /// Cap the items per list page (0 = an empty page that still has `nextPageToken`).
    pub page_limit: Option<usize>,
    /// How many times it applies; default 1 (unlimited when only `probability` is given).
    pub times: Option<u64>,
    /// Apply to each matching request with this probability, drawn from an RNG seeded by `seed`.
    pub probability: Option<f64>,
    pub seed: Option<u64>,
}

impl Fault {
    /// A fault answering `status` once for the given method id.
    pub fn status(method: &str, status: u16) -> Self {
        Fault {
            method: Some(method.to_string()),
            status: Some(status),
            ..Fault::default()
        }
    }

    /// Builder: apply `n` times.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, method_id: Option<&str>, http_method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && Some(m.as_str()) != method_id
        {
            return false;
        }
        if let Some(p) = &self.path_prefix
            && !path.starts_with(p.as_str())
        {
            return false;
        }
        if let Some(h) = &self.http_method
            && !h.eq_ignore_ascii_case(http_method)
        {
            return false;
        }
        true
    }

    /// Short label for the request log.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status {s}"));
        }
        if let Some(d) = self.delay_ms {
            parts.push(format!("delay {d}ms"));
        }
        match self.drop {
            Some(DropWhen::Before) => parts.push("drop before".into()),
            Some(DropWhen::After) => parts.push("drop after".into()),
            None => {}
        }
        if self.slow_body.is_some() {
            parts.push("slow body".into());
        }
        if let Some(p) = self.page_limit {
            parts.push(format!("page limit {p}"));
        }
        if parts.is_empty() {
            "no-op".into()
        } else {
            parts.join(", ")
        }
    }
}

struct Scheduled {
    id: u64,
    fault: Fault,
    remaining: Option<u64>,
    rng: Option<StdRng>,
}

/// The faults currently scheduled, in the order they were added.
#[derive(Default)]
pub struct FaultSet {
    next_id: u64,
    items: Vec<Scheduled>,
}

impl FaultSet {
    pub fn add(&mut self, fault: Fault) -> u64 {
        self.next_id += 1;
        let remaining = match (fault.times, fault.probability) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(1),
        };
        let rng = fault
            .probability
            .map(|_| StdRng::seed_from_u64(fault.seed.unwrap_or(0)));
        self.items.push(Scheduled {
            id: self.next_id,
            fault,
            remaining,
            rng,
        });
        self.next_id
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Removes one fault; false when no fault has this id (any more).
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.items.len();
        self.items.retain(|s| s.id != id);
        self.items.len() != before
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn list(&self) -> Vec<(u64, Fault, Option<u64>)> {
        self.items
            .iter()
            .map(|s| (s.id, s.fault.clone(), s.remaining))
            .collect()
    }

    /// The first scheduled fault that fires for this request, consuming one application.
    pub fn take(
        &mut self,
        method_id: Option<&str>,
        http_method: &str,
        path: &str,
    ) -> Option<Fault> {
        let mut fired = None;
        for (i, s) in self.items.iter_mut().enumerate() {
            if !s.fault.matches(method_id, http_method, path) {
                continue;
            }
            if let (Some(p), Some(rng)) = (s.fault.probability, s.rng.as_mut()) {
                let roll: f64 = rng.random();
                if roll >= p {
                    continue;
                }
            }
            if let Some(n) = s.remaining.as_mut() {
                *n -= 1;
            }
            fired = Some((i, s.fault.clone()));
            break;
        }
        let (i, fault) = fired?;
        if self.items[i].remaining == Some(0) {
            self.items.remove(i);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_then_gone() {
        let mut set = FaultSet::default();
        set.add(Fault::status("events.list", 503).times(2));
        assert!(set.take(Some("events.get"), "GET", "/x").is_none());
        assert!(set.take(Some("events.list"), "GET", "/x").is_some());
        assert!(set.take(Some("events.list"), "GET", "/x").is_some());
        assert!(set.take(Some("events.list"), "GET", "/x").is_none());
        assert!(set.is_empty());
    }

    #[test]
    fn probability_is_deterministic() {
        let fault = Fault {
            probability: Some(0.5),
            seed: Some(7),
            status: Some(500),
            ..Fault::default()
        };
        let run = || {
            let mut set = FaultSet::default();
            set.add(fault.clone());
            (0..64)
                .map(|_| set.take(None, "GET", "/").is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
    }
}
