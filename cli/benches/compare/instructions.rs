//! Client instructions per call, counted by valgrind's callgrind: the same count on every run whatever
//! else the machine does, so the library's own cost shows through the noise of a shared machine. Each
//! side runs twice with different call counts; the difference divided by the extra calls leaves out
//! start-up and warm-up.

use std::process::Command;

/// Calls in the short and the long run.
const SHORT: usize = 100;
const LONG: usize = 600;

/// Instructions per call of `command` (given its call count), or why it cannot be measured.
pub fn per_call(command: impl Fn(usize) -> Command) -> Result<f64, String> {
    let count = |calls: usize| -> Result<f64, String> {
        let base = command(calls);
        let mut run = Command::new("valgrind");
        run.args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(base.get_program())
            .args(base.get_args())
            .envs(base.get_envs().filter_map(|(k, v)| Some((k, v?))));
        let out = run
            .output()
            .map_err(|e| format!("valgrind is not installed ({e})"))?;
        if !out.status.success() {
            return Err(format!(
                "valgrind failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        collected(&String::from_utf8_lossy(&out.stderr))
            .ok_or_else(|| "no `Collected` line from callgrind".to_string())
    };
    let (short, long) = (count(SHORT)?, count(LONG)?);
    Ok((long - short) / (LONG - SHORT) as f64)
}

/// The total from callgrind's `==PID== Collected : N` line.
fn collected(stderr: &str) -> Option<f64> {
    stderr
        .lines()
        .find_map(|l| l.split_once("Collected :"))
        .and_then(|(_, n)| n.trim().parse().ok())
}
