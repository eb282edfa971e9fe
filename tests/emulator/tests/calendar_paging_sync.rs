//! events.list filters and ordering, paging (short and empty pages), incremental sync.

#[path = "calendar_helpers.rs"]
mod helpers;

use helpers::*;
use serde_json::{Value, json};

const P: &str = "/calendars/primary/events";

fn hour(h: u32) -> String {
    format!("2026-01-{:02}T{:02}:00:00Z", 1 + h / 24, h % 24)
}

/// `n` one-hour events, the i-th starting at hour i (inserted in reverse order).
fn fill(e: &mut Emu, n: u32) {
    for i in (0..n).rev() {
        e.insert(timed(&format!("ev{i}"), &hour(i), &hour(i + 1)));
    }
}

fn summaries(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["summary"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn list_envelope_and_default_order_by_start() {
    let mut e = Emu::new();
    fill(&mut e, 5);
    let r = e.get(P);
    let b = r.body.unwrap();
    assert_eq!(b["kind"], "calendar#events");
    assert_eq!(b["summary"], USER);
    assert_eq!(b["timeZone"], "UTC");
    assert_eq!(b["accessRole"], "owner");
    assert!(b["etag"].as_str().is_some());
    assert!(b["nextSyncToken"].as_str().is_some());
    assert!(b.get("nextPageToken").is_none());
    assert_eq!(
        summaries(b["items"].as_array().unwrap()),
        ["ev0", "ev1", "ev2", "ev3", "ev4"]
    );
}

#[test]
fn filters() {
    let mut e = Emu::new();
    fill(&mut e, 6);
    let mut special = timed("Budget review", &hour(30), &hour(31));
    special["location"] = json!("HQ Boardroom");
    special["extendedProperties"] = json!({"private": {"crm": "42"}, "shared": {"team": "a"}});
    e.insert(special);
    let q = |e: &mut Emu, q: &[(&str, &str)]| summaries(&e.list_all(P, q).0);
    assert_eq!(
        q(&mut e, &[("timeMin", &hour(2)), ("timeMax", &hour(4))]),
        ["ev2", "ev3"]
    );
    // Overlap: an event ending exactly at timeMin is out, one starting at timeMax too.
    assert_eq!(q(&mut e, &[("timeMin", "2026-01-01T02:30:00Z")]).len(), 5);
    assert_eq!(q(&mut e, &[("q", "BOARDROOM")]), ["Budget review"]);
    assert_eq!(q(&mut e, &[("q", "budget")]), ["Budget review"]);
    assert_eq!(
        q(&mut e, &[("privateExtendedProperty", "crm=42")]),
        ["Budget review"]
    );
    assert!(q(&mut e, &[("privateExtendedProperty", "crm=41")]).is_empty());
    assert_eq!(
        q(&mut e, &[("sharedExtendedProperty", "team=a")]),
        ["Budget review"]
    );
    assert_eq!(q(&mut e, &[("eventTypes", "default")]).len(), 7);
    assert!(q(&mut e, &[("eventTypes", "focusTime")]).is_empty());
    e.now = at(7200);
    let ev = e.insert(timed("late", &hour(40), &hour(41)));
    assert_eq!(
        q(&mut e, &[("updatedMin", "2026-01-01T01:00:00Z")]),
        ["late"]
    );
    let r = e
        .req("GET", P)
        .q("timeMin", &hour(5))
        .q("timeMax", &hour(2))
        .send();
    assert_eq!(r.status, 400);
    // orderBy=updated lists by modification.
    let r = e
        .req("PATCH", &format!("{P}/{}", ev["id"].as_str().unwrap()))
        .json(json!({"summary": "later"}))
        .send();
    assert_eq!(r.status, 200);
    e.now = at(9000);
    let id0 = e.list_all(P, &[("q", "ev0")]).0[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    e.req("PATCH", &format!("{P}/{id0}"))
        .json(json!({"summary": "ev0b"}))
        .send();
    let s = q(&mut e, &[("orderBy", "updated")]);
    assert_eq!(&s[s.len() - 2..], ["later", "ev0b"]);
}

#[test]
fn paging_visits_everything_once() {
    let mut e = Emu::new();
    fill(&mut e, 23);
    let (items, last) = e.list_all(P, &[("maxResults", "5")]);
    assert_eq!(items.len(), 23);
    let want: Vec<String> = (0..23).map(|i| format!("ev{i}")).collect();
    assert_eq!(summaries(&items), want);
    assert!(last["nextSyncToken"].as_str().is_some());
    let r = e.req("GET", P).q("maxResults", "5").send().body.unwrap();
    assert_eq!(r["items"].as_array().unwrap().len(), 5);
    assert!(r.get("nextSyncToken").is_none());
    expect_err(
        &e.req("GET", P).q("pageToken", "garbage!").send(),
        400,
        "invalid",
    );
}

#[test]
fn default_page_sizes() {
    let mut e = Emu::new();
    fill(&mut e, 260);
    let r = e.get(P).body.unwrap();
    assert_eq!(r["items"].as_array().unwrap().len(), 250);
    let r = e.req("GET", P).q("maxResults", "3000").send().body.unwrap();
    assert_eq!(r["items"].as_array().unwrap().len(), 260);
}

#[test]
fn short_and_empty_pages_from_the_page_limit_fault() {
    let mut e = Emu::new();
    fill(&mut e, 10);
    let r = e.req("GET", P).limit(0).send().body.unwrap();
    assert!(r["items"].as_array().unwrap().is_empty());
    let tok = r["nextPageToken"].as_str().unwrap().to_string();
    let r = e
        .req("GET", P)
        .q("pageToken", &tok)
        .limit(3)
        .send()
        .body
        .unwrap();
    assert_eq!(
        summaries(r["items"].as_array().unwrap()),
        ["ev0", "ev1", "ev2"]
    );
    let tok = r["nextPageToken"].as_str().unwrap().to_string();
    let r = e
        .req("GET", P)
        .q("pageToken", &tok)
        .limit(0)
        .send()
        .body
        .unwrap();
    assert!(r["items"].as_array().unwrap().is_empty());
    let tok = r["nextPageToken"].as_str().unwrap().to_string();
    let r = e.req("GET", P).q("pageToken", &tok).send().body.unwrap();
    assert_eq!(r["items"].as_array().unwrap().len(), 7);
    assert_eq!(r["items"][0]["summary"], "ev3");
    // The other lists honour it too.
    let r = e
        .req("GET", "/users/me/settings")
        .limit(0)
        .send()
        .body
        .unwrap();
    assert!(r["items"].as_array().unwrap().is_empty() && r["nextPageToken"].is_string());
    let r = e
        .req("GET", "/calendars/primary/acl")
        .limit(0)
        .send()
        .body
        .unwrap();
    assert!(r["items"].as_array().unwrap().is_empty() && r["nextPageToken"].is_string());
    let r = e
        .req("GET", "/users/me/calendarList")
        .limit(0)
        .send()
        .body
        .unwrap();
    assert!(r["items"].as_array().unwrap().is_empty() && r["nextPageToken"].is_string());
}

#[test]
fn page_tokens_survive_concurrent_inserts() {
    let mut e = Emu::new();
    fill(&mut e, 10);
    let r = e.req("GET", P).q("maxResults", "4").send().body.unwrap();
    let mut seen = summaries(r["items"].as_array().unwrap());
    let mut tok = r["nextPageToken"].as_str().map(str::to_string);
    // An event sorting before the cursor and one after it arrive mid-listing.
    e.insert(timed(
        "early",
        "2025-12-31T00:00:00Z",
        "2025-12-31T01:00:00Z",
    ));
    e.insert(timed("late", &hour(50), &hour(51)));
    while let Some(t) = tok {
        let r = e
            .req("GET", P)
            .q("maxResults", "4")
            .q("pageToken", &t)
            .send()
            .body
            .unwrap();
        seen.extend(summaries(r["items"].as_array().unwrap()));
        tok = r["nextPageToken"].as_str().map(str::to_string);
    }
    let mut want: Vec<String> = (0..10).map(|i| format!("ev{i}")).collect();
    want.push("late".into());
    assert_eq!(seen, want);
}

#[test]
fn incremental_sync_of_events() {
    let mut e = Emu::new();
    fill(&mut e, 3);
    let (items, last) = e.list_all(P, &[]);
    let t1 = last["nextSyncToken"].as_str().unwrap().to_string();
    // Nothing changed: empty answer and a token.
    let (none, last) = e.list_all(P, &[("syncToken", &t1)]);
    assert!(none.is_empty());
    assert!(last["nextSyncToken"].is_string());
    let a = items[0]["id"].as_str().unwrap().to_string();
    let b = items[1]["id"].as_str().unwrap().to_string();
    e.req("PATCH", &format!("{P}/{a}"))
        .json(json!({"summary": "changed"}))
        .send();
    e.req("DELETE", &format!("{P}/{b}")).send();
    let added = e.insert(timed("new", &hour(9), &hour(10)));
    let (changes, last) = e.list_all(P, &[("syncToken", &t1), ("maxResults", "1")]);
    assert_eq!(changes.len(), 3);
    let by_id = |id: &str| changes.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(by_id(&a)["summary"], "changed");
    assert_eq!(by_id(&b)["status"], "cancelled");
    assert_eq!(by_id(added["id"].as_str().unwrap())["summary"], "new");
    let t2 = last["nextSyncToken"].as_str().unwrap().to_string();
    let (none, _) = e.list_all(P, &[("syncToken", &t2)]);
    assert!(none.is_empty());
    // Expired and malformed tokens need a full sync.
    e.cals.expire_sync_tokens();
    let r = e.req("GET", P).q("syncToken", &t2).send();
    expect_err(&r, 410, "fullSyncRequired");
    assert_eq!(
        r.body.unwrap()["error"]["message"],
        "Sync token is no longer valid, a full sync is required."
    );
    expect_err(
        &e.req("GET", P).q("syncToken", "bogus").send(),
        410,
        "fullSyncRequired",
    );
    let (all, last) = e.list_all(P, &[]);
    assert_eq!(all.len(), 3);
    let t3 = last["nextSyncToken"].as_str().unwrap().to_string();
    assert!(e.list_all(P, &[("syncToken", &t3)]).0.is_empty());
}

#[test]
fn sync_of_acl_calendar_list_and_settings() {
    let mut e = Emu::new();
    let (_, acl) = e.list_all("/calendars/primary/acl", &[]);
    let (_, cl) = e.list_all("/users/me/calendarList", &[]);
    let (_, st) = e.list_all("/users/me/settings", &[]);
    let tok = |v: &Value| v["nextSyncToken"].as_str().unwrap().to_string();
    let (acl_t, cl_t, st_t) = (tok(&acl), tok(&cl), tok(&st));
    let cal = e
        .post("/calendars", json!({"summary": "Side"}))
        .body
        .unwrap();
    let cal_id = cal["id"].as_str().unwrap().to_string();
    let r = e.post(
        "/calendars/primary/acl",
        json!({"role": "reader", "scope": {"type": "user", "value": "carol@example.com"}}),
    );
    assert_eq!(r.status, 200);
    let (changes, _) = e.list_all("/calendars/primary/acl", &[("syncToken", &acl_t)]);
    assert_eq!(ids(&changes), ["user:carol@example.com"]);
    e.req(
        "DELETE",
        "/calendars/primary/acl/user%3Acarol%40example.com",
    )
    .send();
    let (changes, _) = e.list_all("/calendars/primary/acl", &[("syncToken", &acl_t)]);
    assert_eq!(changes[0]["role"], "none");
    let (changes, _) = e.list_all("/users/me/calendarList", &[("syncToken", &cl_t)]);
    assert_eq!(ids(&changes), [cal_id.as_str()]);
    e.req("DELETE", &format!("/calendars/{}", enc(&cal_id)))
        .send();
    let (changes, _) = e.list_all("/users/me/calendarList", &[("syncToken", &cl_t)]);
    assert_eq!(changes[0]["deleted"], true);
    let (changes, last) = e.list_all("/users/me/settings", &[("syncToken", &st_t)]);
    assert!(changes.is_empty() && last["nextSyncToken"].is_string());
    e.cals.expire_sync_tokens();
    let r = e
        .req("GET", "/users/me/settings")
        .q("syncToken", &st_t)
        .send();
    expect_err(&r, 410, "fullSyncRequired");
    let r = e
        .req("GET", "/users/me/calendarList")
        .q("syncToken", &cl_t)
        .send();
    expect_err(&r, 410, "fullSyncRequired");
}

/// The shape of a 100,000-event listing, at a size the test suite can afford.
#[test]
fn five_thousand_events_list_correctly() {
    let mut e = Emu::new();
    let n = 5000;
    for i in (0..n).rev() {
        // 24 events a day, Jan 1 to Mar 29 (28-day months for simplicity), 30 minutes each.
        let day = format!("2026-{:02}-{:02}", 1 + i / 672, 1 + (i / 24) % 28);
        let (s, t) = (
            format!("{day}T{:02}:00:00Z", i % 24),
            format!("{day}T{:02}:30:00Z", i % 24),
        );
        e.insert(timed(&format!("e{i:05}"), &s, &t));
    }
    let (items, last) = e.list_all(P, &[("maxResults", "2500")]);
    assert_eq!(items.len(), n as usize);
    let mut names = summaries(&items);
    let sorted = {
        let mut s = names.clone();
        s.sort();
        s
    };
    assert_eq!(names, sorted);
    names.dedup();
    assert_eq!(names.len(), n as usize);
    assert!(last["nextSyncToken"].is_string());
    let (ordered, _) = e.list_all(
        P,
        &[
            ("maxResults", "2500"),
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
        ],
    );
    assert_eq!(ordered.len(), n as usize);
    let (window, _) = e.list_all(
        P,
        &[
            ("timeMin", "2026-03-01T00:00:00Z"),
            ("timeMax", "2026-03-02T00:00:00Z"),
        ],
    );
    assert_eq!(window.len(), 24);
}

#[test]
fn expiry_also_ends_a_sync_listing_mid_way() {
    let mut e = Emu::new();
    let (_, last) = e.list_all(P, &[]);
    let tok = last["nextSyncToken"].as_str().unwrap().to_string();
    fill(&mut e, 3);
    let r = e
        .req("GET", P)
        .q("syncToken", &tok)
        .q("maxResults", "1")
        .send();
    let page = r.body.unwrap()["nextPageToken"]
        .as_str()
        .unwrap()
        .to_string();
    // A page token of a plain listing keeps working; one of a sync listing does not.
    let plain = e.req("GET", P).q("maxResults", "1").send().body.unwrap();
    let plain_tok = plain["nextPageToken"].as_str().unwrap().to_string();
    // Later pages of a sync may carry the pageToken alone.
    let next = e.req("GET", P).q("pageToken", &page).send().body.unwrap();
    assert_eq!(next["items"].as_array().unwrap().len(), 2);
    assert!(next["nextSyncToken"].is_string());
    e.cals.expire_sync_tokens();
    expect_err(
        &e.req("GET", P).q("pageToken", &page).send(),
        410,
        "fullSyncRequired",
    );
    let r = e.req("GET", P).q("pageToken", &plain_tok).send();
    assert_eq!(r.status, 200);
}

/// Events with one start time list in the order of their ids as text, on one page and across
/// pages, whatever order they came in: ids sharing long prefixes, ids prefixes of others.
#[test]
fn equal_starts_list_in_id_order() {
    let mut e = Emu::new();
    let mut chosen = vec![
        "abcdefghijklmnop",
        "abcdefghijklmnopq",
        "abcdefghijklmnopp",
        "abcdefghijklmno0",
        "abcdefghijklmnopq0",
        "abcde",
        "abcdf",
        "0abcde",
        "vvvvvvvvvvvvvvvvvvvvvvvvvv",
        "vvvvvvvvvvvvvvvvvvvvvvvvvu",
        "00000",
    ];
    for id in &chosen {
        let mut ev = timed(id, &hour(3), &hour(4));
        ev["id"] = json!(id);
        e.insert(ev);
    }
    // Random ids too, and an event before and after them all.
    for i in 0..20 {
        e.insert(timed(&format!("r{i}"), &hour(3), &hour(4)));
    }
    e.insert(timed("before", &hour(2), &hour(3)));
    e.insert(timed("after", &hour(4), &hour(5)));
    let (all, _) = e.list_all(P, &[]);
    let (paged, _) = e.list_all(P, &[("maxResults", "3")]);
    assert_eq!(ids(&paged), ids(&all));
    let (window, _) = e.list_all(
        P,
        &[
            ("timeMin", &hour(3)),
            ("timeMax", &hour(4)),
            ("maxResults", "4"),
        ],
    );
    assert_eq!(ids(&window), ids(&all[1..all.len() - 1]));
    let listed = ids(&all);
    assert_eq!(summaries(&all[..1]), ["before"]);
    assert_eq!(summaries(&all[all.len() - 1..]), ["after"]);
    let mut tied = listed[1..listed.len() - 1].to_vec();
    assert_eq!(tied.len(), 31);
    let sorted = {
        let mut s = tied.clone();
        s.sort();
        s
    };
    assert_eq!(tied, sorted);
    chosen.sort();
    tied.retain(|id| chosen.contains(&id.as_str()));
    assert_eq!(tied, chosen);
}
