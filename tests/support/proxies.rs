//! Real proxies from Debian's packages, started on loopback for one test and stopped with it: tinyproxy
//! (HTTP CONNECT, basic auth) and microsocks (SOCKS5, user/password). A missing tool fails the test when
//! `QGCAL_REQUIRE_PROXIES` is set (CI installs both) and prints a SKIPPED line otherwise.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Proxy {
    child: Child,
    pub port: u16,
    dir: PathBuf,
    log: PathBuf,
}

/// Whether `tool` is installed; says so loudly when it is not (or fails, under CI).
pub fn available(tool: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("QGCAL_REQUIRE_PROXIES").is_some() {
            panic!(
                "QGCAL_REQUIRE_PROXIES is set but {tool} is not installed (apt-get install tinyproxy microsocks)"
            );
        }
        super::notice(&format!(
            "SKIPPED: {test}: {tool} is not installed (apt-get install tinyproxy microsocks; CI sets QGCAL_REQUIRE_PROXIES=1)"
        ));
    }
    found
}

fn scratch_dir(what: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "qgcal-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("proxy scratch dir");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

impl Proxy {
    /// tinyproxy on a free port. `auth` turns on basic auth; `connect_ports` limits the ports CONNECT
    /// may reach (none: any).
    pub fn tinyproxy(auth: Option<(&str, &str)>, connect_ports: &[u16]) -> Proxy {
        let dir = scratch_dir("tinyproxy");
        let log = dir.join("tinyproxy.log");
        Proxy::start(dir, log.clone(), |port, dir| {
            let mut conf = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 64\nLogLevel Connect\n\
                 LogFile \"{}\"\nAllow 127.0.0.1\n",
                log.display()
            );
            if let Some((user, password)) = auth {
                conf.push_str(&format!("BasicAuth {user} {password}\n"));
            }
            for p in connect_ports {
                conf.push_str(&format!("ConnectPort {p}\n"));
            }
            let path = dir.join("tinyproxy.conf");
            std::fs::write(&path, conf).expect("write tinyproxy.conf");
            let mut command = Command::new("tinyproxy");
            command.arg("-d").arg("-c").arg(path);
            command
        })
    }

    /// microsocks (SOCKS5) on a free port; `auth` requires that user and password.
    pub fn microsocks(auth: Option<(&str, &str)>) -> Proxy {
        let dir = scratch_dir("microsocks");
        let log = dir.join("microsocks.log");
        Proxy::start(dir, log, |port, _| {
            let mut command = Command::new("microsocks");
            command.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
            if let Some((user, password)) = auth {
                command.args(["-u", user, "-P", password]);
            }
            command
        })
    }

    /// Starts the command on a free port and waits until it listens (another process may take the port
    /// between the probe and the start: then it tries another).
    fn start(
        dir: PathBuf,
        log: PathBuf,
        command: impl Fn(u16, &std::path::Path) -> Command,
    ) -> Proxy {
        for _ in 0..5 {
            let port = free_port();
            let output = std::fs::File::create(dir.join("output.log")).expect("proxy output file");
            let mut child = command(port, &dir)
                .stdin(Stdio::null())
                .stdout(output.try_clone().expect("dup output"))
                .stderr(output)
                .spawn()
                .expect("start the proxy");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if listening(port) {
                    return Proxy {
                        child,
                        port,
                        dir,
                        log,
                    };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "the proxy did not start; its output:\n{}",
            std::fs::read_to_string(dir.join("output.log")).unwrap_or_default()
        );
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Everything the proxy logged so far (tinyproxy's log file; microsocks logs to its output).
    pub fn log(&self) -> String {
        let main = std::fs::read_to_string(&self.log).unwrap_or_default();
        let output = std::fs::read_to_string(self.dir.join("output.log")).unwrap_or_default();
        format!("{main}{output}")
    }

    /// Waits briefly for `needle` to show in the log (a proxy may write it just after answering).
    pub fn log_contains(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A loopback port with nothing listening (for a dead proxy).
pub fn dead_port() -> u16 {
    free_port()
}
