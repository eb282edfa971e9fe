//! Log records for the host: the library's `tracing` events, turned into [`LogRecord`]s and handed to
//! the sinks the host installed (one for the process, one per client).
//!
//! The library never sets tracing's global default, which belongs to the host. Its own subscriber is
//! entered around each blocking call ([`in_scope`], only while some sink is installed) and for the life
//! of each runtime thread. Only events whose target is this crate are taken; other crates' (h2's)
//! never reach a sink. With no sink, tracing's level filter is off and an event costs one atomic load.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, RwLock};

use tracing::dispatcher::{self, DefaultGuard, Dispatch};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use super::record::{ClientOf, LogLevel, LogRecord};

/// Receives records; called on the thread that logged, possibly on many threads at once.
pub type LogSink = Arc<dyn Fn(&LogRecord) + Send + Sync>;

struct Installed {
    level: LogLevel,
    sink: LogSink,
}

struct Sinks {
    process: Option<Installed>,
    /// Few clients log on their own; a list is quicker than a map at that size.
    clients: Vec<(u64, Installed)>,
}

static SINKS: RwLock<Sinks> = RwLock::new(Sinks {
    process: None,
    clients: Vec::new(),
});
/// The most verbose level any sink wants.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Off as u8);
static DELIVERED: AtomicU64 = AtomicU64::new(0);
static DISPATCH: LazyLock<Dispatch> = LazyLock::new(|| {
    // With a single dispatcher registered, tracing rebuilds its caches by asking the calling thread's
    // current one, which may be none (a host thread outside a call) or unreachable (inside an event).
    // A second, inert one makes it ask every registered dispatcher instead, from any thread.
    static INERT: LazyLock<Dispatch> = LazyLock::new(|| Dispatch::new(Inert));
    LazyLock::force(&INERT);
    Dispatch::new(HostSubscriber)
});

thread_local! {
    /// Set while this thread runs a sink: events it causes meanwhile are dropped, not delivered into it.
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
    /// Runtime threads keep the library's subscriber entered for their whole life.
    static THREAD_DEFAULT: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

fn sinks_read() -> std::sync::RwLockReadGuard<'static, Sinks> {
    SINKS.read().unwrap_or_else(|p| p.into_inner())
}

fn sinks_write() -> std::sync::RwLockWriteGuard<'static, Sinks> {
    SINKS.write().unwrap_or_else(|p| p.into_inner())
}

fn max_level() -> LogLevel {
    LogLevel::from_number(i32::from(MAX_LEVEL.load(Relaxed))).unwrap_or(LogLevel::Off)
}

/// True while some sink is installed with a level above off.
pub fn active() -> bool {
    MAX_LEVEL.load(Relaxed) != LogLevel::Off as u8
}

/// Runs `f` with the library's subscriber entered on this thread, when there is anyone to tell.
pub fn in_scope<T>(f: impl FnOnce() -> T) -> T {
    // Entering from inside a sink would re-borrow tracing's thread state, which it holds meanwhile
    // (a panic): a blocking call from a sink runs unentered, and what it logs is dropped anyway.
    if active() && !DELIVERING.get() {
        dispatcher::with_default(&DISPATCH, f)
    } else {
        f()
    }
}

/// Enters the library's subscriber on this thread until [`leave_on_this_thread`] (runtime threads).
pub fn enter_on_this_thread() {
    let guard = dispatcher::set_default(&DISPATCH);
    let _ = THREAD_DEFAULT.try_with(|slot| *slot.borrow_mut() = Some(guard));
}

pub fn leave_on_this_thread() {
    let guard = THREAD_DEFAULT.try_with(|slot| slot.borrow_mut().take());
    drop(guard);
}

/// Installs (or with `None` removes) the sink that receives every record up to `level`. The sink it
/// replaces is dropped after its last call has returned.
pub fn set_process_sink(level: LogLevel, sink: Option<LogSink>) {
    let previous = {
        let mut sinks = sinks_write();
        let previous = std::mem::replace(
            &mut sinks.process,
            sink.map(|sink| Installed { level, sink }),
        );
        update_max(&sinks);
        previous
    };
    levels_changed();
    drop(previous);
}

/// Installs (or removes) the sink for one client's records.
pub fn set_client_sink(client: u64, level: LogLevel, sink: Option<LogSink>) {
    let previous = {
        let mut sinks = sinks_write();
        let at = sinks.clients.iter().position(|(id, _)| *id == client);
        let previous = at.map(|i| sinks.clients.swap_remove(i).1);
        if let Some(sink) = sink {
            sinks.clients.push((client, Installed { level, sink }));
        }
        update_max(&sinks);
        previous
    };
    levels_changed();
    drop(previous);
}

/// Removes a freed client's sink, if it had one.
pub fn forget_client(client: u64) {
    let has_sink = sinks_read().clients.iter().any(|(id, _)| *id == client);
    if has_sink {
        set_client_sink(client, LogLevel::Off, None);
    }
}

fn update_max(sinks: &Sinks) {
    let max = sinks
        .process
        .iter()
        .chain(sinks.clients.iter().map(|(_, s)| s))
        .map(|s| s.level)
        .max()
        .unwrap_or(LogLevel::Off);
    MAX_LEVEL.store(max as u8, Relaxed);
}

/// Tells tracing that the levels changed, so its callsite caches and global level filter follow.
/// Safe from any thread, a sink included (see `DISPATCH`).
fn levels_changed() {
    LazyLock::force(&DISPATCH);
    tracing::callsite::rebuild_interest_cache();
}

/// Records delivered to sinks.
pub fn delivered() -> u64 {
    DELIVERED.load(Relaxed)
}

fn is_ours(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    target == "qorus_gcal" || target.starts_with("qorus_gcal::")
}

fn deliver(event: &Event<'_>) {
    let level = LogLevel::of(event.metadata().level());
    let mut client = ClientOf::default();
    event.record(&mut client);
    let client = client.0;
    let chosen: [Option<LogSink>; 2] = {
        let sinks = sinks_read();
        let wants = |s: &Installed| (level <= s.level).then(|| s.sink.clone());
        [
            sinks.process.as_ref().and_then(wants),
            (client != 0)
                .then(|| sinks.clients.iter().find(|(id, _)| *id == client))
                .flatten()
                .and_then(|(_, s)| wants(s)),
        ]
    };
    if chosen.iter().all(Option::is_none) {
        return;
    }
    // tracing itself drops what a sink logs on its own thread; this guards the rest.
    if DELIVERING.get() {
        return;
    }
    let record = LogRecord::from_event(event, client);
    DELIVERING.set(true);
    for sink in chosen.iter().flatten() {
        // A panicking sink must not fail the request that logged.
        let _ = catch_unwind(AssertUnwindSafe(|| sink(&record)));
        DELIVERED.fetch_add(1, Relaxed);
    }
    // A sink replaced meanwhile is dropped here, its host's drop function still inside the guard.
    drop(chosen);
    DELIVERING.set(false);
}

/// Registered beside [`HostSubscriber`] only so that tracing keeps a list of dispatchers: it wants
/// nothing, and says so (tracing's own `NoSubscriber` gives no level hint, which counts as "trace").
struct Inert;

impl Subscriber for Inert {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::never()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::OFF)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// The subscriber behind every sink. It takes events only (the library opens no spans).
struct HostSubscriber;

impl Subscriber for HostSubscriber {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.is_event() && is_ours(meta) {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        meta.is_event() && is_ours(meta) && LogLevel::of(meta.level()) <= max_level()
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(max_level().filter())
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        // Never called for a disabled span; any id will do.
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        deliver(event);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
