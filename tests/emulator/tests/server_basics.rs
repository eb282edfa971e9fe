//! The HTTP surface: error shapes, limits, auth, standard parameters, keep-alive, start and stop.

use gcal_emulator::testing::{Connection, get, post_json, request};
use gcal_emulator::{Emulator, MAX_BODY};
use serde_json::json;

fn url(emu: &Emulator, rest: &str) -> String {
    format!("{}{rest}", emu.urls().api_base_url)
}

#[test]
fn unknown_routes_are_google_404s() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    for u in [
        format!("{}/nothing/here", emu.urls().base_url),
        url(&emu, "no/such/resource"),
    ] {
        let r = get(&u, Some(&token)).unwrap();
        assert_eq!(r.status, 404, "{u}");
        let e = &r.json()["error"];
        assert_eq!(e["code"], 404);
        assert_eq!(e["status"], "NOT_FOUND");
        assert_eq!(e["errors"][0]["reason"], "notFound");
        assert_eq!(e["errors"][0]["domain"], "global");
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
    }
    // GET on the token endpoint is not a route.
    assert_eq!(get(&emu.urls().token_url, None).unwrap().status, 404);
}

#[test]
fn bodies_over_one_mib_are_413() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let big = vec![b'a'; MAX_BODY + 1];
    let auth = format!("Bearer {token}");
    let r = request(
        "POST",
        &url(&emu, "calendars/primary/events"),
        &[("Authorization", &auth)],
        &big,
    )
    .unwrap();
    assert_eq!(r.status, 413);
    let r = request("POST", &emu.urls().token_url, &[], &big).unwrap();
    assert_eq!(r.status, 413);
    // Still serving.
    assert_eq!(get(&url(&emu, "colors"), Some(&token)).unwrap().status, 200);
}

#[test]
fn bad_credentials_are_401_auth_error() {
    let emu = Emulator::start();
    for token in [None, Some("ya29.unknown")] {
        let r = get(&url(&emu, "users/me/calendarList"), token).unwrap();
        assert_eq!(r.status, 401);
        let e = &r.json()["error"];
        assert_eq!(e["status"], "UNAUTHENTICATED");
        assert_eq!(e["errors"][0]["reason"], "authError");
        assert_eq!(e["errors"][0]["location"], "Authorization");
        assert_eq!(e["errors"][0]["locationType"], "header");
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")
        );
    }
    let r = request(
        "GET",
        &url(&emu, "colors"),
        &[("Authorization", "Basic abc")],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 401);
}

#[test]
fn access_token_query_parameter_and_standard_parameters() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let u = url(
        &emu,
        &format!(
            "colors?access_token={token}&key=k&quotaUser=q&userIp=1.2.3.4&alt=json&prettyPrint=false"
        ),
    );
    let r = get(&u, None).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !r.text().contains("\n  "),
        "prettyPrint=false answers compact JSON"
    );
    assert_eq!(r.json()["kind"], "calendar#colors");

    let r = get(
        &url(&emu, "users/me/calendarList?fields=items(id),kind"),
        Some(&token),
    )
    .unwrap();
    let j = r.json();
    assert_eq!(j["kind"], "calendar#calendarList");
    assert_eq!(j["items"][0], json!({"id": "user@example.com"}));
    assert!(j.get("etag").is_none());
}

#[test]
fn read_only_token_cannot_write() {
    let emu = Emulator::start();
    let ro = emu
        .admin()
        .access_token(&["https://www.googleapis.com/auth/calendar.readonly"]);
    let event =
        json!({"summary": "x", "start": {"date": "2026-01-01"}, "end": {"date": "2026-01-02"}});
    let r = post_json(&url(&emu, "calendars/primary/events"), Some(&ro), &event).unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
    assert_eq!(
        get(&url(&emu, "calendars/primary/events"), Some(&ro))
            .unwrap()
            .status,
        200
    );
}

#[test]
fn etags_give_304_without_body() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let auth = format!("Bearer {token}");
    let first = get(&url(&emu, "calendars/primary"), Some(&token)).unwrap();
    let etag = first.json()["etag"].as_str().unwrap().to_string();
    let r = request(
        "GET",
        &url(&emu, "calendars/primary"),
        &[("Authorization", &auth), ("If-None-Match", &etag)],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
}

#[test]
fn percent_encoded_ids_reach_the_calendar() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let r = get(&url(&emu, "calendars/user%40example.com"), Some(&token)).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], "user@example.com");
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let auth = format!("Bearer {token}");
    let mut conn = Connection::open(&emu.urls().base_url).unwrap();
    for _ in 0..50 {
        let r = conn
            .send(
                "GET",
                "/calendar/v3/colors",
                &[("Authorization", &auth)],
                b"",
            )
            .unwrap();
        assert_eq!(r.status, 200);
    }
    let r = conn.send("GET", "/calendar/v3/colors", &[], b"").unwrap();
    assert_eq!(r.status, 401);
}

#[test]
fn shutdown_stops_listening() {
    let emu = Emulator::start();
    let base = emu.urls().base_url.clone();
    let addr = base.trim_start_matches("http://").to_string();
    assert!(std::net::TcpStream::connect(&addr).is_ok());
    emu.shutdown();
    assert!(get(&format!("{base}/calendar/v3/colors"), None).is_err());
}

#[test]
fn start_on_a_given_address_and_urls() {
    let emu = Emulator::start_on("127.0.0.1:0".parse().unwrap()).unwrap();
    let u = emu.urls();
    assert!(u.api_base_url.ends_with("/calendar/v3/"));
    assert_eq!(u.token_url, format!("{}/token", u.base_url));
    assert_eq!(u.auth_url, format!("{}/o/oauth2/v2/auth", u.base_url));
    assert_eq!(u.batch_url, format!("{}/batch/calendar/v3", u.base_url));
    assert_eq!(u.revoke_url, format!("{}/revoke", u.base_url));
    assert_eq!(u.device_url, format!("{}/device/code", u.base_url));
    let taken: std::net::SocketAddr = u.base_url.trim_start_matches("http://").parse().unwrap();
    assert!(Emulator::start_on(taken).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_inside_an_async_test() {
    let emu = Emulator::start();
    let token = emu.admin().access_token(&[]);
    let u = url(&emu, "colors");
    let status = tokio::task::spawn_blocking(move || get(&u, Some(&token)).unwrap().status)
        .await
        .unwrap();
    assert_eq!(status, 200);
    drop(emu);
}

#[tokio::test(flavor = "current_thread")]
async fn works_inside_a_current_thread_runtime() {
    let emu = Emulator::start();
    let addr = emu
        .urls()
        .base_url
        .trim_start_matches("http://")
        .to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    s.write_all(b"GET /calendar/v3/colors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    assert!(out.starts_with(b"HTTP/1.1 401"));
}

#[test]
fn emulator_and_admin_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Emulator>();
    shareable::<gcal_emulator::Admin>();
    static SHARED: std::sync::OnceLock<Emulator> = std::sync::OnceLock::new();
    let emu = SHARED.get_or_init(Emulator::start);
    let token = emu.admin().access_token(&[]);
    let u = url(emu, "colors");
    let status = std::thread::spawn(move || get(&u, Some(&token)).unwrap().status)
        .join()
        .unwrap();
    assert_eq!(status, 200);
    assert!(format!("{emu:?}").contains("base_url"));
}
