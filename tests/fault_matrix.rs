//! The fault matrix: every write method x every fault the network can throw at it, against the emulator.
//! Each outcome is success (after a retry) or a clear error, and the calendar then holds exactly what
//! it should: the write applied once when the call succeeded, not at all after a definite error, and at
//! most once after `OUTCOME_UNKNOWN` (a write whose answer was lost, where the API cannot tell) — never a
//! duplicate, never a lost update, never a plain network error or timeout for a write that went out.
//!
//! What each method is expected to answer follows the README's table (issue #20 point 4, #21 point 4):
//! rate limits are retried for every method; 5xx and lost answers are retried where a repeat is safe
//! (PUT, PATCH, DELETE, `calendars.clear`, `acl.insert`, inserts carrying an id, `events.move` read back
//! at its destination); `events.quickAdd` and `calendars.insert` cannot be repeated safely, so a lost
//! answer is `OUTCOME_UNKNOWN` and a 503 an HTTP error. The matrix is printed, pass or fail.

mod support;

use std::time::{Duration, Instant};

use gcal_emulator::{DEFAULT_USER, DropWhen, Emulator, Fault, SlowBody};
use qorus_gcal::calendar::call::CallOptions;
use qorus_gcal::{Client, runtime};
use serde_json::{Value, json};

const USER: &str = DEFAULT_USER;
/// The per-call timeout of the "slow" fault's calls (the answer takes far longer).
const TIMEOUT_MS: u64 = 1500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaultKind {
    RateLimited,
    Unavailable,
    DropBefore,
    DropAfter,
    Slow,
}

const FAULTS: [FaultKind; 5] = [
    FaultKind::RateLimited,
    FaultKind::Unavailable,
    FaultKind::DropBefore,
    FaultKind::DropAfter,
    FaultKind::Slow,
];

impl FaultKind {
    fn label(self) -> &'static str {
        match self {
            FaultKind::RateLimited => "429 Retry-After: 1",
            FaultKind::Unavailable => "503",
            FaultKind::DropBefore => "dropped before",
            FaultKind::DropAfter => "dropped after apply",
            FaultKind::Slow => "slower than timeout",
        }
    }

    /// The fault, once, on this method. A slow answer trickles its body after the write was applied;
    /// an answer without a body comes only after the timeout instead.
    fn fault(self, method: &str, empty_answer: bool) -> Fault {
        let base = Fault {
            method: Some(method.to_string()),
            times: Some(1),
            ..Fault::default()
        };
        match self {
            FaultKind::RateLimited => Fault {
                status: Some(429),
                retry_after: Some(1),
                ..base
            },
            FaultKind::Unavailable => Fault {
                status: Some(503),
                retry_after: Some(0),
                ..base
            },
            FaultKind::DropBefore => Fault {
                drop: Some(DropWhen::Before),
                ..base
            },
            FaultKind::DropAfter => Fault {
                drop: Some(DropWhen::After),
                ..base
            },
            FaultKind::Slow if empty_answer => Fault {
                delay_ms: Some(3 * TIMEOUT_MS),
                ..base
            },
            FaultKind::Slow => Fault {
                slow_body: Some(SlowBody {
                    chunk_bytes: 1,
                    pause_ms: 500,
                }),
                ..base
            },
        }
    }
}

/// What the calendar shows after a call.
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Applied,
    NotApplied,
    /// Neither: a duplicate, a half-done move, an unexpected value.
    Broken(String),
}

/// One write method: what to set up, how to call it, and how to read what it did.
struct Write {
    method: &'static str,
    /// The answer has no body (204), so "slow" delays the whole answer.
    empty_answer: bool,
    /// A repeat could do harm: a lost answer is OUTCOME_UNKNOWN, a 503 an HTTP error.
    unsafe_to_repeat: bool,
    setup: fn(&Fixture),
    params: fn(&Fixture) -> Value,
    body: fn(&Fixture) -> Option<Value>,
    state: fn(&Fixture) -> State,
}

/// What a case runs against: an emulator with the user's primary calendar, a second calendar `other`,
/// an event `ev` in the primary and an ACL rule for `fm@example.com` (each made by the setups that need
/// them).
struct Fixture {
    emulator: Emulator,
    other: String,
}

const EVENT: &str = "fmevent00001";
const RULE_SCOPE: &str = "fm@example.com";

impl Fixture {
    fn new() -> Fixture {
        let emulator = Emulator::start();
        let fixture = Fixture {
            emulator,
            other: String::new(),
        };
        let (status, body) =
            fixture.api("POST", "/calendars", &[], Some(json!({"summary": "Other"})));
        assert_eq!(status, 200, "{body:?}");
        Fixture {
            other: body.unwrap()["id"].as_str().unwrap().to_string(),
            ..fixture
        }
    }

    /// A call straight into the emulator's calendars, as the user, past faults and HTTP.
    fn api(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Option<Value>) {
        self.emulator
            .admin()
            .call(USER, method, path, query, body.as_ref())
    }

    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.api(method, path, &[], body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer:?}"
        );
        answer.unwrap_or(Value::Null)
    }

    fn add_event(&self, calendar: &str, id: &str, summary: &str) {
        self.ok(
            "POST",
            &format!("/calendars/{}/events", enc(calendar)),
            Some(event_body(Some(id), summary)),
        );
    }

    /// Live events of a calendar.
    fn events(&self, calendar: &str) -> Vec<Value> {
        let path = format!("/calendars/{}/events", enc(calendar));
        let (status, listed) = self.api("GET", &path, &[("maxResults", "2500")], None);
        assert_eq!(status, 200, "{path}: {listed:?}");
        listed.unwrap()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn event(&self, calendar: &str, id: &str) -> Option<Value> {
        let (status, body) = self.api(
            "GET",
            &format!("/calendars/{}/events/{id}", enc(calendar)),
            &[],
            None,
        );
        body.filter(|b| status == 200 && b["status"] != "cancelled")
    }

    fn count(&self, calendar: &str, summary: &str) -> usize {
        self.events(calendar)
            .iter()
            .filter(|e| e["summary"] == summary)
            .count()
    }

    fn calendar(&self, id: &str) -> Option<Value> {
        let (status, body) = self.api("GET", &format!("/calendars/{}", enc(id)), &[], None);
        body.filter(|_| status == 200)
    }

    fn list_entries(&self) -> Vec<Value> {
        self.ok("GET", "/users/me/calendarList", None)["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn list_entry(&self, id: &str) -> Option<Value> {
        let (status, body) = self.api(
            "GET",
            &format!("/users/me/calendarList/{}", enc(id)),
            &[],
            None,
        );
        body.filter(|_| status == 200)
    }

    fn rules(&self) -> Vec<Value> {
        self.ok("GET", "/calendars/primary/acl", None)["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r["scope"]["value"] == RULE_SCOPE)
            .collect()
    }

    fn add_rule(&self) {
        self.ok(
            "POST",
            "/calendars/primary/acl",
            Some(json!({"role": "reader", "scope": {"type": "user", "value": RULE_SCOPE}})),
        );
    }
}

/// A calendar id as one path segment (ids hold `@`, nothing else that needs escaping).
fn enc(id: &str) -> String {
    id.replace('@', "%40")
}

fn event_body(id: Option<&str>, summary: &str) -> Value {
    let mut body = json!({
        "summary": summary,
        "start": {"dateTime": "2026-05-04T10:00:00Z"},
        "end": {"dateTime": "2026-05-04T11:00:00Z"},
    });
    if let Some(id) = id {
        body["id"] = json!(id);
    }
    body
}

/// `Applied` when exactly one thing matches, `NotApplied` when none, `Broken` otherwise.
fn exactly_one(n: usize, what: &str) -> State {
    match n {
        1 => State::Applied,
        0 => State::NotApplied,
        n => State::Broken(format!("{n} {what}")),
    }
}

/// `Applied` when the value was written, `NotApplied` when the old one is there.
fn changed(now: Option<&Value>, new: &str, old: &str) -> State {
    match now.and_then(Value::as_str) {
        Some(v) if v == new => State::Applied,
        Some(v) if v == old => State::NotApplied,
        other => State::Broken(format!("found {other:?}")),
    }
}

fn gone(present: bool) -> State {
    if present {
        State::NotApplied
    } else {
        State::Applied
    }
}

fn none(_: &Fixture) {}
fn no_body(_: &Fixture) -> Option<Value> {
    None
}
fn primary(_: &Fixture) -> Value {
    json!({"calendarId": "primary"})
}
fn primary_event(_: &Fixture) -> Value {
    json!({"calendarId": "primary", "eventId": EVENT})
}
fn other_calendar(f: &Fixture) -> Value {
    json!({"calendarId": f.other})
}
fn with_event(f: &Fixture) {
    f.add_event("primary", EVENT, "before");
}
fn with_rule(f: &Fixture) {
    f.add_rule();
}
fn rule(_: &Fixture) -> Value {
    json!({"calendarId": "primary", "ruleId": format!("user:{RULE_SCOPE}")})
}
fn rule_role(f: &Fixture) -> Option<Value> {
    f.rules().first().map(|r| r["role"].clone())
}

fn writes() -> Vec<Write> {
    vec![
        Write {
            method: "events.insert",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: primary,
            body: |_| Some(event_body(None, "fm-insert")),
            state: |f| exactly_one(f.count("primary", "fm-insert"), "events"),
        },
        Write {
            method: "events.import",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: primary,
            body: |_| {
                let mut b = event_body(None, "fm-import");
                b["iCalUID"] = json!("fm-import@example.com");
                Some(b)
            },
            state: |f| exactly_one(f.count("primary", "fm-import"), "events"),
        },
        Write {
            method: "events.quickAdd",
            empty_answer: false,
            unsafe_to_repeat: true,
            setup: none,
            params: |_| json!({"calendarId": "primary", "text": "fmquick tomorrow at 1pm"}),
            body: no_body,
            state: |f| exactly_one(f.count("primary", "fmquick"), "events"),
        },
        Write {
            method: "events.patch",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: with_event,
            params: primary_event,
            body: |_| Some(json!({"summary": "after"})),
            state: |f| {
                let e = f.event("primary", EVENT);
                changed(e.as_ref().map(|e| &e["summary"]), "after", "before")
            },
        },
        Write {
            method: "events.update",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: with_event,
            params: primary_event,
            body: |_| Some(event_body(None, "updated")),
            state: |f| {
                let e = f.event("primary", EVENT);
                changed(e.as_ref().map(|e| &e["summary"]), "updated", "before")
            },
        },
        Write {
            method: "events.delete",
            empty_answer: true,
            unsafe_to_repeat: false,
            setup: with_event,
            params: primary_event,
            body: no_body,
            state: |f| gone(f.event("primary", EVENT).is_some()),
        },
        Write {
            method: "events.move",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: with_event,
            params: |f| json!({"calendarId": "primary", "eventId": EVENT, "destination": f.other}),
            body: no_body,
            state: |f| match (
                f.event("primary", EVENT).is_some(),
                f.event(&f.other, EVENT).is_some(),
            ) {
                (false, true) => State::Applied,
                (true, false) => State::NotApplied,
                (a, b) => State::Broken(format!("in the source: {a}, at the destination: {b}")),
            },
        },
        Write {
            method: "calendars.insert",
            empty_answer: false,
            unsafe_to_repeat: true,
            setup: none,
            params: |_| Value::Null,
            body: |_| Some(json!({"summary": "fm-calendar"})),
            state: |f| {
                let n = f
                    .list_entries()
                    .iter()
                    .filter(|e| e["summary"] == "fm-calendar")
                    .count();
                exactly_one(n, "calendars")
            },
        },
        Write {
            method: "calendars.patch",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: other_calendar,
            body: |_| Some(json!({"description": "patched"})),
            state: |f| {
                let c = f.calendar(&f.other);
                let d = c
                    .as_ref()
                    .map(|c| c.get("description").cloned().unwrap_or(json!("")));
                changed(d.as_ref(), "patched", "")
            },
        },
        Write {
            method: "calendars.update",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: other_calendar,
            body: |_| Some(json!({"summary": "Other, updated"})),
            state: |f| {
                let c = f.calendar(&f.other);
                changed(c.as_ref().map(|c| &c["summary"]), "Other, updated", "Other")
            },
        },
        Write {
            method: "calendars.delete",
            empty_answer: true,
            unsafe_to_repeat: false,
            setup: none,
            params: other_calendar,
            body: no_body,
            state: |f| gone(f.calendar(&f.other).is_some()),
        },
        Write {
            method: "calendars.clear",
            empty_answer: true,
            unsafe_to_repeat: false,
            setup: |f| {
                f.add_event("primary", "fmclear00001", "c1");
                f.add_event("primary", "fmclear00002", "c2");
            },
            params: primary,
            body: no_body,
            state: |f| match f.events("primary").len() {
                0 => State::Applied,
                2 => State::NotApplied,
                n => State::Broken(format!("{n} events left of 2")),
            },
        },
        Write {
            method: "calendarList.insert",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: |f| {
                f.ok(
                    "DELETE",
                    &format!("/users/me/calendarList/{}", enc(&f.other)),
                    None,
                );
            },
            params: |_| Value::Null,
            body: |f| Some(json!({"id": f.other})),
            state: |f| {
                let n = f
                    .list_entries()
                    .iter()
                    .filter(|e| e["id"] == f.other.as_str())
                    .count();
                exactly_one(n, "list entries")
            },
        },
        Write {
            method: "calendarList.patch",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: other_calendar,
            body: |_| Some(json!({"summaryOverride": "fm-override"})),
            state: |f| {
                let e = f.list_entry(&f.other);
                let o = e
                    .as_ref()
                    .map(|e| e.get("summaryOverride").cloned().unwrap_or(json!("")));
                changed(o.as_ref(), "fm-override", "")
            },
        },
        Write {
            method: "calendarList.update",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: other_calendar,
            body: |f| Some(json!({"id": f.other, "summaryOverride": "fm-updated"})),
            state: |f| {
                let e = f.list_entry(&f.other);
                let o = e
                    .as_ref()
                    .map(|e| e.get("summaryOverride").cloned().unwrap_or(json!("")));
                changed(o.as_ref(), "fm-updated", "")
            },
        },
        Write {
            method: "calendarList.delete",
            empty_answer: true,
            unsafe_to_repeat: false,
            setup: none,
            params: other_calendar,
            body: no_body,
            state: |f| gone(f.list_entry(&f.other).is_some()),
        },
        Write {
            method: "acl.insert",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: none,
            params: primary,
            body: |_| {
                Some(json!({"role": "reader", "scope": {"type": "user", "value": RULE_SCOPE}}))
            },
            state: |f| exactly_one(f.rules().len(), "rules"),
        },
        Write {
            method: "acl.patch",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: with_rule,
            params: rule,
            body: |_| Some(json!({"role": "writer"})),
            state: |f| changed(rule_role(f).as_ref(), "writer", "reader"),
        },
        Write {
            method: "acl.update",
            empty_answer: false,
            unsafe_to_repeat: false,
            setup: with_rule,
            params: rule,
            body: |_| {
                Some(
                    json!({"role": "freeBusyReader", "scope": {"type": "user", "value": RULE_SCOPE}}),
                )
            },
            state: |f| changed(rule_role(f).as_ref(), "freeBusyReader", "reader"),
        },
        Write {
            method: "acl.delete",
            empty_answer: true,
            unsafe_to_repeat: false,
            setup: with_rule,
            params: rule,
            body: no_body,
            state: |f| match f.rules().len() {
                0 => State::Applied,
                1 => State::NotApplied,
                n => State::Broken(format!("{n} rules")),
            },
        },
    ]
}

/// What one case came to.
struct Cell {
    method: &'static str,
    fault: FaultKind,
    outcome: String,
    state: State,
    problems: Vec<String>,
}

/// The expected outcome's name (`OK`, `OUTCOME_UNKNOWN`, `HTTP_ERROR`) for a method and fault.
fn expected(write: &Write, fault: FaultKind) -> &'static str {
    match (write.unsafe_to_repeat, fault) {
        (_, FaultKind::RateLimited) | (false, _) => "OK",
        (true, FaultKind::Unavailable) => "HTTP_ERROR",
        (true, _) => "OUTCOME_UNKNOWN",
    }
}

fn run_case(write: &Write, fault: FaultKind) -> Cell {
    let fixture = Fixture::new();
    (write.setup)(&fixture);
    let token = fixture.emulator.admin().access_token(&[]);
    let client = Client::from_json(&support::emulator_config(
        fixture.emulator.urls(),
        json!({"token": {"access_token": token}, "retry": {"max_attempts": 5, "base_delay_ms": 1, "max_delay_ms": 20}}),
    ))
    .unwrap();
    fixture
        .emulator
        .admin()
        .add_fault(fault.fault(write.method, write.empty_answer));
    let params = (write.params)(&fixture);
    let body = (write.body)(&fixture);
    let options = CallOptions {
        timeout_ms: (fault == FaultKind::Slow).then_some(TIMEOUT_MS),
        ..CallOptions::default()
    };
    let started = Instant::now();
    let c = client.clone();
    let method = write.method;
    let answer =
        runtime::block_on(async move { c.call(method, &params, body.as_ref(), &options).await });
    let took = started.elapsed();
    // A delayed request the server still holds would land after the check: wait it out.
    if fault == FaultKind::Slow && write.empty_answer {
        std::thread::sleep(
            Duration::from_millis(3 * TIMEOUT_MS).saturating_sub(took) + Duration::from_millis(300),
        );
    }
    fixture.emulator.admin().clear_faults();
    let state = (write.state)(&fixture);
    let outcome = match &answer {
        Ok(_) => "OK".to_string(),
        Err(e) => e.kind().name().to_string(),
    };
    let mut problems = Vec::new();
    match (&answer, &state) {
        (_, State::Broken(why)) => problems.push(format!("the calendar is broken: {why}")),
        (Ok(_), State::NotApplied) => {
            problems.push("answered OK but the write is not there".into())
        }
        (Ok(_), State::Applied) => {}
        (Err(e), State::Applied) if outcome != "OUTCOME_UNKNOWN" => problems.push(format!(
            "answered {outcome} but the write was applied: {}",
            e.message()
        )),
        (Err(_), _) => {}
    }
    let want = expected(write, fault);
    if outcome != want {
        let said = answer
            .as_ref()
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        problems.push(format!("answered {outcome}, want {want} ({said})"));
    }
    if let Err(e) = &answer {
        if outcome == "OUTCOME_UNKNOWN" && !e.message().contains(write.method) {
            problems.push(format!(
                "the unknown outcome does not name the method: {}",
                e.message()
            ));
        }
        if matches!(outcome.as_str(), "NETWORK_ERROR" | "TIMEOUT") {
            problems.push(format!("a write that went out answered a plain {outcome}"));
        }
    }
    if fault == FaultKind::RateLimited && took < Duration::from_secs(1) {
        problems.push(format!(
            "Retry-After: 1 not honoured (answered after {took:?})"
        ));
    }
    Cell {
        method: write.method,
        fault,
        outcome,
        state,
        problems,
    }
}

#[test]
fn every_write_method_under_every_fault() {
    let writes = writes();
    let cases: Vec<(&Write, FaultKind)> = writes
        .iter()
        .flat_map(|w| FAULTS.iter().map(move |f| (w, *f)))
        .collect();
    // Ten at a time: most cases wait (Retry-After, timeouts), few compute.
    let mut cells: Vec<Cell> = Vec::new();
    for chunk in cases.chunks(10) {
        let done: Vec<Cell> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(w, f)| s.spawn(move || run_case(w, *f)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("case thread"))
                .collect()
        });
        cells.extend(done);
    }

    let mut table = format!(
        "\nfault matrix ({} write methods x {} faults): outcome / calendar\n",
        writes.len(),
        FAULTS.len()
    );
    table.push_str(&format!("{:<22}", "method"));
    for f in FAULTS {
        table.push_str(&format!("| {:<31}", f.label()));
    }
    table.push('\n');
    for w in &writes {
        table.push_str(&format!("{:<22}", w.method));
        for f in FAULTS {
            let cell = cells
                .iter()
                .find(|c| c.method == w.method && c.fault == f)
                .unwrap();
            let state = match &cell.state {
                State::Applied => "applied once",
                State::NotApplied => "not applied",
                State::Broken(_) => "BROKEN",
            };
            let mark = if cell.problems.is_empty() { "" } else { " !!" };
            table.push_str(&format!(
                "| {:<31}",
                format!("{} / {state}{mark}", cell.outcome)
            ));
        }
        table.push('\n');
    }
    let problems: Vec<String> = cells
        .iter()
        .flat_map(|c| {
            c.problems
                .iter()
                .map(move |p| format!("{} x {}: {p}", c.method, c.fault.label()))
        })
        .collect();
    table.push_str(&format!(
        "{} of {} cells as they should be\n",
        cells.len() - cells.iter().filter(|c| !c.problems.is_empty()).count(),
        cells.len()
    ));
    support::notice(&table);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
