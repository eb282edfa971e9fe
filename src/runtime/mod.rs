//! The embedded tokio runtime: created lazily, shared by every client, stopped by [`shutdown`].
//!
//! The host calls blocking functions from its own threads; each call's future runs on the calling thread
//! (no hand-off to a worker and back), while the library's workers, which have every signal blocked so
//! the host's signal thread keeps receiving them, drive I/O, timers and spawned tasks.

mod signals;

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};
use tokio::sync::watch;

use crate::error::{Error, ErrorKind, Result};
use crate::observe::logs;

const WORKER_THREADS: usize = 2;
const MAX_BLOCKING_THREADS: usize = 8;
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How far ahead the runtime always has a timer pending (see [`anchor_timers`]).
const TIMER_ANCHOR: Duration = Duration::from_secs(5);

enum State {
    Idle,
    Running(Runtime),
    ShutDown,
}

static STATE: Mutex<State> = Mutex::new(State::Idle);
// The running runtime's handle, set once when it starts: every call reaches it without taking the
// state lock, which host threads calling side by side would otherwise queue on.
static RUNNING: OnceLock<Handle> = OnceLock::new();
// Raised before the runtime stops, so callers waiting on the runtime return instead of touching it.
static SHUTDOWN: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::Sender::new(false));
// Set in a child forked after the runtime started (by a `pthread_atfork` handler, registered then): the
// child has none of the runtime's threads, and may find the state lock held. A flag rather than comparing
// `getpid()`, which is a system call on every call since glibc 2.25 stopped caching it.
static FORKED: AtomicBool = AtomicBool::new(false);

extern "C" fn mark_forked() {
    FORKED.store(true, Ordering::Relaxed);
}

fn forked_error() -> Error {
    Error::new(
        ErrorKind::Forked,
        "the process forked after the library's runtime started; a child process cannot use it \
         (create clients in the child only if the parent never used the library)",
    )
}

fn shut_down_error() -> Error {
    Error::new(
        ErrorKind::ShutDown,
        "the library was shut down with qgcal_shutdown(); no further calls are possible in this process",
    )
}

fn check_not_forked() -> Result<()> {
    match FORKED.load(Ordering::Relaxed) {
        false => Ok(()),
        true => Err(forked_error()),
    }
}

/// Registers [`mark_forked`] for the children of this process; runs once, as the runtime starts.
fn watch_for_fork() -> Result<()> {
    // SAFETY: registers a plain function with no prepare or parent handler. glibc ties the registration
    // to this object's `__dso_handle`, so unloading the library drops it.
    match unsafe { libc::pthread_atfork(None, None, Some(mark_forked)) } {
        0 => Ok(()),
        code => Err(Error::internal(format!(
            "cannot start the library's runtime: pthread_atfork failed ({code})"
        ))),
    }
}

fn lock_state() -> std::sync::MutexGuard<'static, State> {
    // A panic while holding the lock leaves the state itself consistent: every change is one assignment.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn build_runtime() -> Result<Runtime> {
    static THREAD_NUMBER: AtomicUsize = AtomicUsize::new(0);
    // Threads inherit the creator's mask, so block everything around their creation, then restore.
    let _mask = signals::BlockAll::new();
    Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_name_fn(|| {
            let n = THREAD_NUMBER.fetch_add(1, Ordering::Relaxed);
            format!("qgcal-rt-{n}")
        })
        .on_thread_start(|| {
            signals::block_all_on_this_thread();
            logs::enter_on_this_thread();
        })
        .on_thread_stop(logs::leave_on_this_thread)
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the library's runtime: {e}")))
}

/// Keeps a timer pending at most [`TIMER_ANCHOR`] ahead. tokio wakes a parked worker whenever a timer
/// is set earlier than every pending one, and each request's timeout is set from the host's thread: with
/// no other timer pending, every call paid that wake-up (measured: about 1.8 more context switches and
/// 13 µs more per `events.get`). Timeouts longer than the anchor (the default is 60 s) now wake no one;
/// the price is one tick every few seconds on an idle runtime.
async fn anchor_timers() {
    let mut tick = tokio::time::interval(TIMER_ANCHOR);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
    }
}

/// A handle to the runtime, starting it on first use.
pub fn handle() -> Result<Handle> {
    running().cloned()
}

fn running() -> Result<&'static Handle> {
    check_not_forked()?;
    if let Some(handle) = RUNNING.get() {
        return match *SHUTDOWN.borrow() {
            false => Ok(handle),
            true => Err(shut_down_error()),
        };
    }
    let mut state = lock_state();
    match &*state {
        State::ShutDown => Err(shut_down_error()),
        // Started by another thread between the check above and the lock.
        State::Running(_) => RUNNING.get().ok_or_else(shut_down_error),
        State::Idle => {
            watch_for_fork()?;
            let rt = build_runtime()?;
            rt.spawn(anchor_timers());
            let handle = RUNNING.get_or_init(|| rt.handle().clone());
            *state = State::Running(rt);
            // Logged after the lock is released: a log sink may call back into the library.
            drop(state);
            tracing::info!(
                worker_threads = WORKER_THREADS as u64,
                "the library's runtime started"
            );
            Ok(handle)
        }
    }
}

/// True when the calling thread is inside a tokio runtime, where blocking would deadlock or panic.
pub fn inside_runtime() -> bool {
    Handle::try_current().is_ok()
}

fn reentrant_error() -> Error {
    Error::new(
        ErrorKind::Reentrant,
        "a blocking qorus-gcal call was made from inside an async runtime (for example from a token \
         callback); call it from another thread",
    )
}

/// Runs `future` in the runtime's context on the calling (host) thread until it finishes. The future
/// never leaves this thread, so it may borrow from the caller.
pub fn block_on<F, T>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    if inside_runtime() {
        return Err(reentrant_error());
    }
    // The library's log subscriber is entered for the call (see `observe::logs`).
    logs::in_scope(|| block_on_here(future))
}

fn block_on_here<F, T>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    let handle = running()?;
    let mut shutting_down = SHUTDOWN.subscribe();
    // The future runs on the calling thread (no hand-off to a worker and back); the runtime's workers
    // drive its I/O and timers. A shutdown meanwhile ends the wait with the shut-down kind.
    handle.block_on(async move {
        tokio::select! {
            biased;
            _ = shutting_down.wait_for(|down| *down) => Err(shut_down_error()),
            result = CatchUnwind(Box::pin(future)) => result.unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Panic,
                    "internal error: a library task panicked (this is a bug in qorus-gcal)",
                ))
            }),
        }
    })
}

/// Turns a panic inside a task into a value, so the waiting host thread learns of it.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match panic::catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

static SHUTDOWN_HOOKS: Mutex<Vec<fn()>> = Mutex::new(Vec::new());

/// Registers `hook` to run in [`shutdown`] once the runtime has stopped (the HTTP layer drops its
/// connection pools there). Registering the same function twice runs it twice.
pub fn at_shutdown(hook: fn()) {
    SHUTDOWN_HOOKS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(hook);
}

/// Stops the runtime, waiting briefly for running tasks, then runs the [`at_shutdown`] hooks. Every later
/// call answers [`ErrorKind::ShutDown`].
pub fn shutdown() -> Result<()> {
    check_not_forked()?;
    if inside_runtime() {
        return Err(reentrant_error());
    }
    logs::in_scope(|| {
        SHUTDOWN.send_replace(true);
        let previous = std::mem::replace(&mut *lock_state(), State::ShutDown);
        if let State::Running(rt) = previous {
            tracing::info!("shutting down: stopping the library's runtime");
            let started = std::time::Instant::now();
            rt.shutdown_timeout(SHUTDOWN_GRACE);
            tracing::info!(
                duration_ms = crate::observe::ms(started.elapsed()),
                "the library's runtime stopped"
            );
        }
        let hooks = SHUTDOWN_HOOKS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for hook in hooks {
            hook();
        }
    });
    Ok(())
}

/// True once [`shutdown`] has run.
pub fn is_shut_down() -> bool {
    check_not_forked().is_ok() && matches!(*lock_state(), State::ShutDown)
}
