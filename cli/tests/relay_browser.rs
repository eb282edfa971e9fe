//! The whole relayed consent in a real browser (headless Chromium driven by chromedriver over
//! WebDriver): the emulator's consent page, a click on Allow, Google's redirect to the relay, the relay's
//! redirect to the instance, then the code exchange. Without Chromium the test says SKIPPED; with
//! QGCAL_REQUIRE_BROWSER set (CI) it fails instead.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gcal_emulator::testing::{Connection, HttpResponse};
use gcal_emulator::{Consent, DEFAULT_CLIENT_ID};
use serde_json::{Value, json};
use support::{Instance, Relay};

/// Chromium's flags: headless, as root in a container, and nothing that reaches the network.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-crash-reporter",
    "--disable-breakpad",
];

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port, in a process group of its own: dropping it kills the group,
/// so a failed test leaves no browser behind.
struct Driver {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Driver {
    fn start(binary: &Path, log: PathBuf) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(binary)
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run chromedriver");
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = driver
                .send("GET", "/status", None)
                .is_ok_and(|r| r.json()["value"]["ready"] == true);
            if ready {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start\n{}",
                driver.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// chromedriver keeps connections open, so answers are read by their length.
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> std::io::Result<HttpResponse> {
        let body = body.map(Value::to_string).unwrap_or_default();
        Connection::open(&self.base)?.send(
            method,
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }

    /// One WebDriver command; answers its `value`, failing with the driver's words and log.
    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = self.send(method, path, body.as_ref());
        let answer = answer.unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.log_tail()));
        assert_eq!(
            answer.status,
            200,
            "{method} {path}: {}\n{}",
            answer.text(),
            self.log_tail()
        );
        answer.json()["value"].clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: signalling the process group our own unreaped child leads.
        unsafe { libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// A browser session, closed on drop (also when the test fails half-way).
struct Browser<'a> {
    driver: &'a Driver,
    path: String,
}

impl Browser<'_> {
    fn command(&self, method: &str, rest: &str, body: Option<Value>) -> Value {
        self.driver
            .command(method, &format!("{}{rest}", self.path), body)
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self.driver.send("DELETE", &self.path, None);
    }
}

#[test]
fn a_real_browser_completes_consent_through_the_relay() {
    let (Some(chromium), Some(chromedriver)) = (
        find_in_path(&["chromium", "chromium-browser", "google-chrome"]),
        find_in_path(&["chromedriver"]),
    ) else {
        let why = "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)";
        if std::env::var_os("QGCAL_REQUIRE_BROWSER").is_some() {
            panic!("QGCAL_REQUIRE_BROWSER is set but {why}");
        }
        let _ = writeln!(std::io::stderr(), "SKIPPED: relay browser test: {why}");
        return;
    };

    let relay = Relay::start(0);
    let emulator = support::emulator(&relay.url());
    // The emulated user answers on a page with Allow and Cancel buttons, as at Google.
    emulator
        .admin()
        .set_consent(DEFAULT_CLIENT_ID, Consent::Interactive);
    let client = support::client(&emulator);
    let instance = Instance::start();
    let (url, session) = support::start(&client, &instance.callback_url(), &relay.url());

    let scratch = std::env::temp_dir().join(format!("qgcal-browser-{}", std::process::id()));
    let profile = scratch.join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    let driver = Driver::start(&chromedriver, scratch.join("chromedriver.log"));
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let created = driver.command(
        "POST",
        "/session",
        Some(json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}})),
    );
    let browser = Browser {
        driver: &driver,
        path: format!("/session/{}", created["sessionId"].as_str().unwrap()),
    };

    browser.command("POST", "/url", Some(json!({"url": url})));
    let title = browser.command("GET", "/title", None);
    assert!(title.as_str().unwrap().contains("Sign in"), "{title}");
    let allow = browser.command(
        "POST",
        "/element",
        Some(json!({"using": "css selector", "value": "button[value=allow]"})),
    );
    // An element reference is an object of one member (its key is fixed by the W3C spec).
    let allow = allow
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no element reference in {allow}"))
        .to_string();
    browser.command("POST", &format!("/element/{allow}/click"), Some(json!({})));

    // The browser follows the consent page's redirect to the relay and the relay's to the instance.
    let arrival = instance
        .next_arrival(Duration::from_secs(30))
        .unwrap_or_else(|| {
            panic!(
                "the browser never reached the instance\n{}",
                driver.log_tail()
            )
        });
    let deadline = Instant::now() + Duration::from_secs(30);
    let landed = loop {
        let current = browser.command("GET", "/url", None);
        let current = current.as_str().unwrap_or_default().to_string();
        if current.starts_with(&instance.callback_url()) || Instant::now() > deadline {
            break current;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        landed, arrival,
        "the browser's address bar shows the instance"
    );
    let page = browser.command("GET", "/source", None);
    assert!(
        page.as_str().unwrap().contains(support::INSTANCE_PAGE),
        "{page}"
    );
    drop(browser);
    drop(driver);
    let _ = std::fs::remove_dir_all(&scratch);

    let token = client.consent_complete(&session, &arrival).unwrap();
    assert!(token.access_token.is_some() && token.refresh_token.is_some());
    let (status, log) = relay.stop();
    assert!(status.success());
    assert!(log.contains("server=127.0.0.1 forwarded=code"), "{log}");
}
