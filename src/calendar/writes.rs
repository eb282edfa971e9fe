//! What each Calendar method does when sent twice: whether it may be repeated after a lost answer, what
//! a repeat's answer then means, and how a host checks a write whose outcome stays unknown. The README's
//! error section states the same rules as a table.

use serde_json::{Value, json};

use super::body::Body;
use super::call::PreparedCall;
use crate::error::{Error, ErrorKind};

/// How a method behaves when it is sent twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and freebusy.query (a POST that changes nothing): repeated freely.
    Read,
    /// Writes that leave the same state when repeated: PUT and PATCH, calendars.clear, and acl.insert
    /// (the rule id comes from the scope, so a repeat writes the same rule again).
    Idempotent,
    /// Deletes and channels.stop: repeated freely; "gone" (404, 410) after an attempt that may have been
    /// applied means that attempt did it.
    Delete,
    /// Inserts carrying a client-chosen id (events.insert and events.import with an id, calendarList.insert):
    /// a repeat answers 409 instead of making a copy, and the caller's own write is read back.
    ClientId,
    /// events.move: a repeat answers 404 once the event has left its calendar; the destination is then
    /// read to see it arrived.
    Move,
    /// Never sent again once it may have reached the server (server-chosen ids, channels, ownership):
    /// a lost answer leaves the outcome unknown.
    Once,
}

impl Repeat {
    /// The rule for a method id (without `calendar.`); `carries_id` when an insert's body has an id.
    pub fn of(method_id: &str, http_method: &str, carries_id: bool) -> Repeat {
        match (method_id, http_method) {
            ("freebusy.query", _) => Repeat::Read,
            ("calendars.clear" | "acl.insert", _) => Repeat::Idempotent,
            ("channels.stop", _) => Repeat::Delete,
            ("calendarList.insert", _) => Repeat::ClientId,
            ("events.insert" | "events.import", _) if carries_id => Repeat::ClientId,
            ("events.move", _) => Repeat::Move,
            (_, "GET") => Repeat::Read,
            (_, "PUT" | "PATCH") => Repeat::Idempotent,
            (_, "DELETE") => Repeat::Delete,
            _ => Repeat::Once,
        }
    }

    /// Sending it again after a lost answer cannot do harm.
    pub fn repeatable(self) -> bool {
        self != Repeat::Once
    }

    pub fn is_write(self) -> bool {
        self != Repeat::Read
    }
}

/// What an error answer means for a write an earlier attempt may already have applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Settled {
    /// The delete happened: the resource is gone.
    Done,
    /// The write is there (ours): read it back as the answer.
    ReadBack,
    /// The answer describes the state the earlier attempt may have left (an ETag it changed).
    Unknown,
}

/// `own_id`: the library chose the insert's id, so nobody else can hold it and any 409 is ours.
pub(crate) fn settle(repeat: Repeat, own_id: bool, error: &Error) -> Option<Settled> {
    let earlier = error.maybe_applied();
    match (repeat, error.http_status()) {
        (Repeat::Delete, 404 | 410) if earlier => Some(Settled::Done),
        (Repeat::ClientId, 409) if (earlier || own_id) && error.reason() == Some("duplicate") => {
            Some(Settled::ReadBack)
        }
        (Repeat::Move, 404) if earlier => Some(Settled::ReadBack),
        (r, 412) if earlier && r.is_write() => Some(Settled::Unknown),
        _ => None,
    }
}

/// The read that shows whether a [`Repeat::ClientId`] or [`Repeat::Move`] write was applied: the method
/// id and its parameters.
pub(crate) fn read_back(
    method_id: &str,
    params: &Value,
    body: Option<Body<'_>>,
    id: Option<&str>,
) -> Option<(&'static str, Value)> {
    let param = |name: &str| params.get(name).cloned().unwrap_or(Value::Null);
    match method_id {
        "events.insert" | "events.import" => {
            let id = id.map(str::to_string).or_else(|| body?.id())?;
            Some((
                "events.get",
                json!({"calendarId": param("calendarId"), "eventId": id}),
            ))
        }
        "calendarList.insert" => Some(("calendarList.get", json!({"calendarId": body?.id()?}))),
        "events.move" => Some((
            "events.get",
            json!({"calendarId": param("destination"), "eventId": param("eventId")}),
        )),
        _ => None,
    }
}

/// How a host tells whether a write whose answer was lost was applied.
pub(crate) fn how_to_check(method_id: &str) -> &'static str {
    match method_id {
        "events.quickAdd" => {
            "list the calendar's events (events.list with `q` set to the text, or `updatedMin` set to just \
             before the call) before adding it again"
        }
        "events.insert" | "events.import" => {
            "list the calendar's events (events.list with `iCalUID`, `q` or `updatedMin`) before inserting \
             it again; an insert with an `id` (as `generate_id`, the default, gives it) is safe to repeat"
        }
        "calendars.insert" => {
            "list the calendars (calendarList.list) for one with this summary before creating it again"
        }
        "calendars.transferOwnership" => {
            "read the calendar's rules (acl.list) to see who owns it now"
        }
        "events.move" => "read the event in the destination calendar (events.get)",
        "channels.stop" => {
            "a stopped channel sends no more notifications; stopping it again is safe"
        }
        m if m.ends_with(".watch") => {
            "the channel may be open: stop it with channels.stop (its id and the resourceId of its first \
             notification) or let it expire, before watching again"
        }
        m if m.starts_with("events.") => "read the event (events.get) to see its state now",
        m if m.starts_with("acl.") => "read the rule (acl.get) to see its state now",
        m if m.starts_with("calendarList.") => {
            "read the entry (calendarList.get) to see its state now"
        }
        m if m.starts_with("calendars.") => {
            "read the calendar (calendars.get) to see its state now"
        }
        m if m.starts_with("settings.") => "read the setting (settings.get) to see its state now",
        _ => "read the resource to see its state now",
    }
}

/// `error` as the host sees it: an unknown outcome says which method and how to check.
pub(crate) fn with_advice(call: &PreparedCall, error: Error) -> Error {
    if error.kind() != ErrorKind::OutcomeUnknown {
        return error;
    }
    let id = call.request.method_id;
    let check = match &call.read_back {
        // We know exactly what to read (an id the library may have chosen itself).
        Some((method, params)) => format!(
            "{method} with {params} shows whether it was applied, and repeating the call is safe"
        ),
        None => how_to_check(id).to_string(),
    };
    let message = format!("{id}: {}; to check: {check}", error.message());
    error.recast(ErrorKind::OutcomeUnknown, message)
}

/// The unknown outcome of a conditional write whose repeat met the ETag an earlier attempt may have
/// changed.
pub(crate) fn stale_precondition(call: &PreparedCall, error: &Error) -> Error {
    let unknown = error.recast(
        ErrorKind::OutcomeUnknown,
        format!(
            "precondition failed (HTTP 412) on a repeat after an attempt whose answer was lost: that \
             attempt may have been applied and changed the ETag ({})",
            error.message()
        ),
    );
    with_advice(call, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::methods::METHODS;

    #[test]
    fn every_method_has_a_rule() {
        let rule = |id: &str| {
            let m = METHODS.iter().find(|m| m.id == id).unwrap();
            Repeat::of(m.id, m.http_method, false)
        };
        for m in METHODS {
            let r = Repeat::of(m.id, m.http_method, false);
            assert_eq!(
                r.is_write(),
                m.http_method != "GET" && m.id != "freebusy.query",
                "{}",
                m.id
            );
        }
        assert_eq!(rule("calendars.clear"), Repeat::Idempotent);
        assert_eq!(rule("acl.insert"), Repeat::Idempotent);
        assert_eq!(rule("events.patch"), Repeat::Idempotent);
        assert_eq!(rule("calendars.delete"), Repeat::Delete);
        assert_eq!(rule("channels.stop"), Repeat::Delete);
        assert_eq!(rule("calendarList.insert"), Repeat::ClientId);
        assert_eq!(rule("events.move"), Repeat::Move);
        for once in [
            "events.quickAdd",
            "calendars.insert",
            "events.insert",
            "events.import",
            "events.watch",
            "acl.watch",
            "calendarList.watch",
            "settings.watch",
            "calendars.transferOwnership",
        ] {
            assert_eq!(rule(once), Repeat::Once, "{once}");
        }
        assert_eq!(Repeat::of("events.insert", "POST", true), Repeat::ClientId);
    }

    #[test]
    fn a_repeat_settles_only_after_an_attempt_that_may_have_been_applied() {
        let gone = Error::new(ErrorKind::Http, "gone").with_http_status(410);
        assert_eq!(settle(Repeat::Delete, false, &gone), None);
        let gone = gone.with_maybe_applied(true);
        assert_eq!(settle(Repeat::Delete, false, &gone), Some(Settled::Done));
        assert_eq!(settle(Repeat::Idempotent, false, &gone), None);
        let taken = Error::new(ErrorKind::Http, "taken")
            .with_http_status(409)
            .with_reason("duplicate");
        assert_eq!(settle(Repeat::ClientId, false, &taken), None);
        assert_eq!(
            settle(Repeat::ClientId, true, &taken),
            Some(Settled::ReadBack)
        );
        let stale = Error::new(ErrorKind::PreconditionFailed, "412")
            .with_http_status(412)
            .with_maybe_applied(true);
        assert_eq!(
            settle(Repeat::Idempotent, false, &stale),
            Some(Settled::Unknown)
        );
        assert_eq!(settle(Repeat::Read, false, &stale), None);
    }
}
