//! State shared by the server tasks and the in-process admin handle.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use crate::cal::{Calendars, Notification};
use crate::faults::{Fault, FaultSet};
use crate::log::RequestLog;
use crate::oauth::OAuthStore;
use crate::oauth::store::DEFAULT_USER;
use crate::urls::Urls;
use crate::wire::Wire;

/// Notifications kept for `Admin::notifications`.
const NOTIFICATIONS_KEPT: usize = 10_000;

/// A push notification the emulator produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub address: String,
    pub headers: Vec<(String, String)>,
    /// True when the address is a loopback URL and a POST was attempted.
    pub delivered: bool,
}

pub struct Shared {
    pub calendars: Mutex<Calendars>,
    pub oauth: Mutex<OAuthStore>,
    pub faults: Mutex<FaultSet>,
    faults_active: AtomicBool,
    pub log: Mutex<RequestLog>,
    pub notifications: Mutex<VecDeque<NotificationRecord>>,
    pub push_tx: UnboundedSender<Notification>,
    pub urls: Urls,
    pub wire: Arc<Wire>,
    /// Added before every answer on Google's paths, to stand for a distant server.
    latency_ms: AtomicU64,
}

pub fn default_calendars() -> Calendars {
    let mut c = Calendars::new();
    c.add_user(DEFAULT_USER);
    c
}

impl Shared {
    pub fn new(urls: Urls, push_tx: UnboundedSender<Notification>) -> Self {
        Shared {
            calendars: Mutex::new(default_calendars()),
            oauth: Mutex::new(OAuthStore::default()),
            faults: Mutex::new(FaultSet::default()),
            faults_active: AtomicBool::new(false),
            log: Mutex::new(RequestLog::default()),
            notifications: Mutex::new(VecDeque::new()),
            push_tx,
            urls,
            wire: Arc::default(),
            latency_ms: AtomicU64::new(0),
        }
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn add_fault(&self, fault: Fault) -> u64 {
        let mut f = self.faults.lock();
        let id = f.add(fault);
        self.faults_active.store(true, Ordering::Release);
        id
    }

    pub fn clear_faults(&self) {
        self.faults.lock().clear();
        self.faults_active.store(false, Ordering::Release);
    }

    /// The fault firing for this request, if any (cheap when none is scheduled).
    pub fn take_fault(
        &self,
        method_id: Option<&str>,
        http_method: &str,
        path: &str,
    ) -> Option<Fault> {
        if !self.faults_active.load(Ordering::Acquire) {
            return None;
        }
        let mut f = self.faults.lock();
        let fault = f.take(method_id, http_method, path);
        if f.is_empty() {
            self.faults_active.store(false, Ordering::Release);
        }
        fault
    }

    pub fn ensure_user(&self, email: &str) {
        let mut c = self.calendars.lock();
        if !c.has_user(email) {
            c.add_user(email);
        }
    }

    /// Queues notifications for delivery (loopback) and records them.
    pub fn notify(&self, notifications: Vec<Notification>) {
        if notifications.is_empty() {
            return;
        }
        let mut kept = self.notifications.lock();
        for n in notifications {
            let delivered = crate::util::loopback_target(&n.address).is_some();
            if kept.len() == NOTIFICATIONS_KEPT {
                kept.pop_front();
            }
            kept.push_back(NotificationRecord {
                address: n.address.clone(),
                headers: n.headers.clone(),
                delivered,
            });
            if delivered {
                let _ = self.push_tx.send(n);
            }
        }
    }

    pub fn reset(&self) {
        *self.calendars.lock() = default_calendars();
        *self.oauth.lock() = OAuthStore::default();
        self.clear_faults();
        *self.log.lock() = RequestLog::default();
        self.notifications.lock().clear();
    }
}
