//! Untagged responses: the greeting, the session's bookkeeping (capabilities,
//! the selected mailbox's counts), then routing to the command that expects
//! the data, or to the application as unsolicited.

use super::Client;
use crate::error::{ConnectionError, LimitError, LimitKind, ProtocolError};
use crate::event::Event;
use crate::request::collect::Collector;
use crate::request::spec::RouteCtx;
use crate::request::MailboxInfo;
use crate::state::{LogoutPhase, StateName};
use crate::types::{Command, Data, Response, ResponseCode, Status, StatusKind};

/// What one collected response is charged beyond its bytes against
/// `Limits::max_result_len`: about what its parsed form holds (a small
/// FETCH or LIST entry: a LIST entry is about 420 bytes in memory).
const RESULT_OVERHEAD: u64 = 384;

impl Client {
    pub(crate) fn handle_untagged_status(&mut self, status: Status) {
        if self.state == StateName::Greeting {
            self.handle_greeting(status);
            return;
        }
        match status.kind {
            StatusKind::Bye => {
                if self.in_flight.iter().any(|f| matches!(f.command, Command::Logout)) {
                    self.logout = LogoutPhase::ByeSeen;
                    return;
                }
                self.fail(ConnectionError::Bye(status.text));
                return;
            }
            StatusKind::PreAuth => {
                self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedGreeting));
                return;
            }
            _ => {}
        }
        if let Some(code) = &status.code {
            match code {
                ResponseCode::Capability(c) => self.set_capabilities(c.clone()),
                code if !self.selecting() => {
                    if let Some(m) = self.mailbox.as_mut() {
                        let was = m.read_only;
                        m.apply_code(code);
                        if m.read_only != was {
                            self.access_changed();
                        }
                    }
                }
                _ => {}
            }
        }
        self.route(Response::Status(status));
    }

    fn handle_greeting(&mut self, status: Status) {
        match status.kind {
            StatusKind::Ok | StatusKind::PreAuth => {
                self.state = StateName::after_greeting(status.kind == StatusKind::PreAuth);
                match &status.code {
                    Some(ResponseCode::Capability(c)) => self.set_capabilities(c.clone()),
                    _ => self.queue_engine(Command::Capability),
                }
                // Kept for the whole session: not a slice of the receive buffer.
                self.greeting = Some(status.detached());
                self.events.push_back(Event::Greeting(status));
                self.pump();
            }
            StatusKind::Bye => self.fail(ConnectionError::Refused(status.text)),
            _ => self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedGreeting)),
        }
    }

    /// Tells the application the selected mailbox's access
    /// ([`Event::MailboxAccess`]).
    pub(crate) fn access_changed(&mut self) {
        if let Some(MailboxInfo { name: Some(mailbox), read_only, .. }) = &self.mailbox {
            let event = Event::MailboxAccess { mailbox: mailbox.clone(), read_only: *read_only };
            self.events.push_back(event);
        }
    }

    /// Whether a SELECT or EXAMINE is in flight (untagged data then
    /// describes the mailbox being selected, not the current one).
    pub(crate) fn selecting(&self) -> bool {
        // Both are barriers: with none in flight, the scan is skipped.
        self.in_flight.tally().barriers > 0
            && self
                .in_flight
                .iter()
                .any(|f| matches!(f.command, Command::Select { .. } | Command::Examine { .. }))
    }

    pub(crate) fn handle_data(&mut self, data: Data) {
        if self.state == StateName::Greeting {
            self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedGreeting));
            return;
        }
        match &data {
            Data::Capability(c) => self.set_capabilities(c.clone()),
            Data::Enabled(c) => {
                for cap in c.iter() {
                    self.enabled.insert(cap.clone());
                }
            }
            _ => {}
        }
        if !self.selecting() {
            self.track_mailbox(&data);
        }
        self.route(Response::Data(data));
    }

    /// Keeps the selected mailbox's state current, so users never recount.
    fn track_mailbox(&mut self, data: &Data) {
        let Some(m) = self.mailbox.as_mut() else { return };
        match data {
            Data::Exists(n) => m.exists = *n,
            Data::Recent(n) => m.recent = *n,
            Data::Flags(f) => m.flags = crate::request::detach_flags(f),
            Data::Expunge(n) => {
                if *n == 0 || *n > m.exists {
                    self.events.push_back(Event::ProtocolError(ProtocolError::BadExpunge(*n)));
                } else {
                    m.exists -= 1;
                }
            }
            Data::Vanished { earlier: false, uids } => {
                let gone = uids.count().unwrap_or(0).min(u64::from(m.exists)) as u32;
                m.exists -= gone;
            }
            Data::Fetch(f) => {
                if let Some(modseq) = f.modseq() {
                    m.highest_modseq = Some(m.highest_modseq.unwrap_or(0).max(modseq));
                }
            }
            _ => {}
        }
    }

    /// Gives an untagged response to the first in-flight command expecting
    /// it, or reports it as unsolicited. Data for an abandoned command is
    /// dropped, unless it feeds the session's own state.
    fn route(&mut self, response: Response) {
        let exists = self.mailbox.as_ref().map_or(0, |m| m.exists);
        let found = self.in_flight.iter().position(|f| {
            let ctx = RouteCtx { tag: &f.tag, exists };
            f.spec.data.iter().any(|kind| kind.matches(&response, &ctx))
        });
        let Some(i) = found else {
            self.push_unsolicited(response);
            return;
        };
        let owner = self.in_flight[i].owner;
        let gone = self.owner_gone(owner);
        let f = &mut self.in_flight[i];
        if f.collector.streams() {
            if let Response::Data(Data::Fetch(fetch)) = response {
                f.collector.count_streamed();
                if let (super::scheduler::Owner::User(id), false) = (owner, gone) {
                    self.deliver_fetched(id, fetch);
                }
                return;
            }
        }
        if gone && !f.collector.feeds_session() {
            return;
        }
        // The parsed form costs more than the bytes: count both.
        f.collected += self.frame_len + RESULT_OVERHEAD;
        let limit = self.config.parse.limits.max_result_len;
        if f.collected > limit || f.overflow.is_some() {
            if f.overflow.is_none() {
                let error = LimitError {
                    kind: LimitKind::ResultLength,
                    limit,
                    size: f.collected,
                    head: bytes::Bytes::copy_from_slice(f.tag.as_bytes()),
                };
                f.overflow = Some(error);
                f.collector = Collector::Discard;
            }
            // Dropped data is not progress (see `inbound::count_frame`).
            self.unsolicited_run = self.unsolicited_run.saturating_add(1);
            return;
        }
        f.collector.accept(response);
    }

    /// Queues an unsolicited response; a new EXISTS or RECENT replaces one
    /// still waiting at the back of the queue (only the latest count
    /// matters), so a flood of them cannot grow memory.
    fn push_unsolicited(&mut self, response: Response) {
        self.unsolicited_run = self.unsolicited_run.saturating_add(1);
        if let Response::Data(new @ (Data::Exists(_) | Data::Recent(_))) = &response {
            // Look through the trailing run of counts: servers send them in
            // EXISTS + RECENT pairs.
            let run = self
                .events
                .iter()
                .rev()
                .take_while(|e| {
                    matches!(e, Event::Unsolicited(Response::Data(Data::Exists(_) | Data::Recent(_))))
                })
                .count();
            let start = self.events.len() - run;
            let same = (start..self.events.len()).find(|&i| {
                matches!(&self.events[i], Event::Unsolicited(Response::Data(old))
                    if std::mem::discriminant(old) == std::mem::discriminant(new))
            });
            if let Some(i) = same {
                self.events.remove(i);
            }
        }
        self.events.push_back(Event::Unsolicited(response));
    }
}
