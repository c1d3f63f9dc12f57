//! Compound operations as sans-I/O plans: each chooses its commands by the
//! server's capabilities when it starts, sends them in steps, and combines
//! their results into one. The engine runs a plan at its place in the
//! queue; later commands wait until it is over, so it acts as one command.

use super::results::{AppendResult, ExpungeResult, ListEntry, MoveResult, Output};
use super::spec::{folded_into_rev2, Validity};
use super::Completion;
use crate::error::{CommandError, UsageError};
use crate::types::{
    AppendMessage, ByteStr, Capabilities, Capability as Cap, Command, Fetch, Flag, ListAttribute,
    ListCommand, ListReturn, Mailbox, SequenceSet, SpecialUse, Status, StatusAttr, StatusKind, StoreMode,
};

/// What a plan sees of the session when it decides.
#[derive(Debug)]
pub(crate) struct PlanCtx<'a> {
    pub(crate) caps: &'a Capabilities,
}

impl PlanCtx<'_> {
    fn has(&self, cap: &Cap) -> bool {
        self.caps.has(cap) || (self.caps.is_rev2() && folded_into_rev2(cap))
    }
}

/// A plan's next move.
#[derive(Debug)]
pub(crate) enum Step {
    /// Send these commands, in order; their results come back numbered
    /// from the plan's running count of commands sent (0 for the first).
    Send(Vec<Command>),
    /// Wait for the results of commands already sent.
    Wait,
    /// The operation is over.
    Done(Box<Result<Completion, CommandError>>),
}

impl Step {
    pub(crate) fn done(result: Result<Completion, CommandError>) -> Step {
        Step::Done(Box::new(result))
    }
}

/// A compound operation.
#[derive(Debug)]
pub(crate) struct Plan {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Move(MovePlan),
    AppendMany(AppendPlan),
    ListStatus(ListStatusPlan),
    FindSpecial(FindSpecialPlan),
}

impl Plan {
    pub(crate) fn move_messages(uid: bool, set: SequenceSet, mailbox: Mailbox, by_copy: bool) -> Self {
        Plan {
            kind: Kind::Move(MovePlan {
                uid,
                set,
                mailbox,
                by_copy,
                stage: MoveStage::Start,
                uids: SequenceSet::new(),
                result: MoveResult::default(),
            }),
        }
    }

    pub(crate) fn append_many(mailbox: Mailbox, messages: Vec<AppendMessage>) -> Self {
        Plan {
            kind: Kind::AppendMany(AppendPlan {
                mailbox,
                messages,
                results: Vec::new(),
                left: 0,
                error: None,
                last: None,
            }),
        }
    }

    pub(crate) fn list_status(pattern: ByteStr, items: Vec<StatusAttr>) -> Self {
        Plan {
            kind: Kind::ListStatus(ListStatusPlan {
                pattern,
                items,
                one_command: false,
                entries: Vec::new(),
                queried: Vec::new(),
                left: 0,
                last: None,
            }),
        }
    }

    pub(crate) fn find_special(role: SpecialUse) -> Self {
        Plan { kind: Kind::FindSpecial(FindSpecialPlan { role }) }
    }

    /// The operation's name, for errors and debugging.
    pub(crate) fn name(&self) -> &'static str {
        match &self.kind {
            Kind::Move(_) => "MOVE",
            Kind::AppendMany(_) => "APPEND",
            Kind::ListStatus(_) => "LIST",
            Kind::FindSpecial(_) => "LIST",
        }
    }

    /// Where the operation may run.
    pub(crate) fn validity(&self) -> Validity {
        match &self.kind {
            Kind::Move(_) => Validity::Selected,
            _ => Validity::Authenticated,
        }
    }

    /// Whether it changes the selected mailbox (refused while that is
    /// read-only: MOVE, whose fallback flags and expunges).
    pub(crate) fn modifies_mailbox(&self) -> bool {
        matches!(self.kind, Kind::Move(_))
    }

    /// Chooses the first commands (called once the capabilities are known).
    pub(crate) fn start(&mut self, ctx: &PlanCtx<'_>) -> Step {
        match &mut self.kind {
            Kind::Move(p) => p.start(ctx),
            Kind::AppendMany(p) => p.start(ctx),
            Kind::ListStatus(p) => p.start(ctx),
            Kind::FindSpecial(p) => p.start(ctx),
        }
    }

    /// The result of the command numbered `index`.
    pub(crate) fn on_result(&mut self, index: usize, result: Result<Completion, CommandError>) -> Step {
        match &mut self.kind {
            Kind::Move(p) => p.on_result(result),
            Kind::AppendMany(p) => p.on_result(index, result),
            Kind::ListStatus(p) => p.on_result(index, result),
            Kind::FindSpecial(p) => p.on_result(result),
        }
    }
}

fn not_sent(command: &'static str, capability: &'static str) -> Step {
    Step::done(Err(CommandError::NotSent(UsageError::MissingCapability { command, capability })))
}

fn synthetic_ok(text: &'static str) -> Status {
    Status { tag: None, kind: StatusKind::Ok, code: None, text: ByteStr::from_static(text) }
}

// ---------------------------------------------------------------------- MOVE

#[derive(Debug)]
struct MovePlan {
    uid: bool,
    set: SequenceSet,
    mailbox: Mailbox,
    by_copy: bool,
    stage: MoveStage,
    uids: SequenceSet,
    result: MoveResult,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MoveStage {
    Start,
    /// `[UID] MOVE` sent.
    Moving,
    /// `FETCH set (UID)` sent, to turn sequence numbers into UIDs.
    ResolvingUids,
    /// `UID COPY` sent.
    Copying,
    /// `UID STORE +FLAGS.SILENT (\Deleted)` sent.
    Flagging,
    /// `UID EXPUNGE` sent.
    Expunging,
}

impl MovePlan {
    fn start(&mut self, ctx: &PlanCtx<'_>) -> Step {
        if !self.by_copy && ctx.has(&Cap::Move) {
            self.stage = MoveStage::Moving;
            let command =
                Command::Move { uid: self.uid, set: self.set.clone(), mailbox: self.mailbox.clone() };
            return Step::Send(vec![command]);
        }
        // Without UIDPLUS an EXPUNGE would remove every deleted message,
        // not only the moved ones.
        if !ctx.has(&Cap::UidPlus) {
            return not_sent("MOVE", "MOVE (or UIDPLUS for COPY + UID EXPUNGE)");
        }
        if self.uid {
            self.uids = self.set.clone();
            self.copy()
        } else {
            self.stage = MoveStage::ResolvingUids;
            Step::Send(vec![Command::fetch(false, self.set.clone(), vec![crate::types::FetchAttr::Uid])])
        }
    }

    fn copy(&mut self) -> Step {
        self.stage = MoveStage::Copying;
        Step::Send(vec![Command::Copy { uid: true, set: self.uids.clone(), mailbox: self.mailbox.clone() }])
    }

    fn on_result(&mut self, result: Result<Completion, CommandError>) -> Step {
        let completion = match result {
            Ok(c) => c,
            Err(e) => return Step::done(Err(e)),
        };
        match (self.stage, completion.output) {
            (MoveStage::Moving, output) => Step::done(Ok(Completion { status: completion.status, output })),
            (MoveStage::ResolvingUids, Output::Fetch(fetches)) => {
                self.uids = fetches.iter().filter_map(Fetch::uid).collect();
                if self.uids.is_empty() {
                    let status = synthetic_ok("no message to move");
                    return Step::done(Ok(Completion {
                        status,
                        output: Output::Move(MoveResult::default()),
                    }));
                }
                self.copy()
            }
            (MoveStage::Copying, Output::Copy(copied)) => {
                self.result.copy_uid = copied.copy_uid;
                self.stage = MoveStage::Flagging;
                Step::Send(vec![Command::Store {
                    uid: true,
                    set: self.uids.clone(),
                    mode: StoreMode::Add,
                    silent: true,
                    flags: vec![Flag::Deleted],
                    unchanged_since: None,
                }])
            }
            (MoveStage::Flagging, _) => {
                self.stage = MoveStage::Expunging;
                Step::Send(vec![Command::UidExpunge(self.uids.clone())])
            }
            (MoveStage::Expunging, output) => {
                let ExpungeResult { expunged, vanished } = match output {
                    Output::Expunge(e) => e,
                    _ => ExpungeResult::default(),
                };
                let mut result = std::mem::take(&mut self.result);
                result.expunged = expunged;
                result.vanished = vanished;
                Step::done(Ok(Completion { status: completion.status, output: Output::Move(result) }))
            }
            // Each stage sends one command whose output kind is fixed above.
            (_, _) => Step::Wait,
        }
    }
}

// -------------------------------------------------------------- APPEND many

#[derive(Debug)]
struct AppendPlan {
    mailbox: Mailbox,
    messages: Vec<AppendMessage>,
    results: Vec<Option<AppendResult>>,
    left: usize,
    /// The first failure, by message order.
    error: Option<(usize, CommandError)>,
    last: Option<Status>,
}

impl AppendPlan {
    fn start(&mut self, ctx: &PlanCtx<'_>) -> Step {
        let messages = std::mem::take(&mut self.messages);
        if messages.is_empty() {
            let status = synthetic_ok("nothing to append");
            return Step::done(Ok(Completion { status, output: Output::Append(AppendResult::default()) }));
        }
        let commands: Vec<Command> = if messages.len() == 1 || ctx.has(&Cap::MultiAppend) {
            vec![Command::Append { mailbox: self.mailbox.clone(), messages }]
        } else {
            messages
                .into_iter()
                .map(|m| Command::Append { mailbox: self.mailbox.clone(), messages: vec![m] })
                .collect()
        };
        self.left = commands.len();
        self.results = vec![None; commands.len()];
        Step::Send(commands)
    }

    fn on_result(&mut self, index: usize, result: Result<Completion, CommandError>) -> Step {
        match result {
            Ok(c) => {
                if let (Some(slot), Output::Append(a)) = (self.results.get_mut(index), c.output) {
                    *slot = Some(a);
                }
                self.last = Some(c.status);
            }
            Err(e) => {
                if self.error.as_ref().is_none_or(|(i, _)| index < *i) {
                    self.error = Some((index, e));
                }
            }
        }
        self.left = self.left.saturating_sub(1);
        if self.left > 0 {
            return Step::Wait;
        }
        if let Some((_, e)) = self.error.take() {
            return Step::done(Err(e));
        }
        let mut combined = AppendResult::default();
        for r in self.results.drain(..).flatten() {
            combined.uid_validity = combined.uid_validity.or(r.uid_validity);
            if let Some(uids) = r.uids {
                let all = combined.uids.get_or_insert_with(SequenceSet::new);
                for range in uids.ranges() {
                    all.push_range(range.start, range.end);
                }
            }
        }
        let status = self.last.take().unwrap_or_else(|| synthetic_ok("appended"));
        Step::done(Ok(Completion { status, output: Output::Append(combined) }))
    }
}

// ------------------------------------------------------------- LIST STATUS

#[derive(Debug)]
struct ListStatusPlan {
    pattern: ByteStr,
    items: Vec<StatusAttr>,
    /// LIST-STATUS: one command does it all.
    one_command: bool,
    entries: Vec<ListEntry>,
    /// For the STATUS numbered `1 + i`, the entry it belongs to.
    queried: Vec<usize>,
    left: usize,
    last: Option<Status>,
}

impl ListStatusPlan {
    fn start(&mut self, ctx: &PlanCtx<'_>) -> Step {
        let mut list = ListCommand::new(self.pattern.clone());
        if ctx.has(&Cap::ListStatus) {
            self.one_command = true;
            if ctx.has(&Cap::SpecialUse) && ctx.has(&Cap::ListExtended) {
                list.returns.push(ListReturn::SpecialUse);
            }
            list.returns.push(ListReturn::Status(self.items.clone()));
        }
        Step::Send(vec![Command::List(list)])
    }

    fn on_result(&mut self, index: usize, result: Result<Completion, CommandError>) -> Step {
        if self.one_command {
            return Step::done(result);
        }
        if index == 0 {
            let completion = match result {
                Ok(c) => c,
                Err(e) => return Step::done(Err(e)),
            };
            if let Output::List(entries) = completion.output {
                self.entries = entries;
            }
            let statuses: Vec<Command> = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.has(&ListAttribute::NoSelect) && !e.has(&ListAttribute::NonExistent))
                .map(|(i, e)| {
                    self.queried.push(i);
                    Command::Status { mailbox: e.item.mailbox.clone(), items: self.items.clone() }
                })
                .collect();
            self.last = Some(completion.status);
            if statuses.is_empty() {
                return self.done();
            }
            self.left = statuses.len();
            return Step::Send(statuses);
        }
        // A mailbox deleted in between answers NO: it keeps no status.
        if let Ok(Completion { output: Output::Status(status), .. }) = result {
            if let Some(&entry) = self.queried.get(index - 1) {
                self.entries[entry].status = Some(status);
            }
        }
        self.left = self.left.saturating_sub(1);
        if self.left > 0 {
            Step::Wait
        } else {
            self.done()
        }
    }

    fn done(&mut self) -> Step {
        let status = self.last.take().unwrap_or_else(|| synthetic_ok("listed"));
        Step::done(Ok(Completion { status, output: Output::List(std::mem::take(&mut self.entries)) }))
    }
}

// ------------------------------------------------------ special-use folders

#[derive(Debug)]
struct FindSpecialPlan {
    role: SpecialUse,
}

/// Names clients and servers commonly give special-use folders, for servers
/// without SPECIAL-USE (the list IMAPClient's `find_special_folder` uses,
/// with the names of Gmail, Outlook and Apple Mail).
fn common_names(role: SpecialUse) -> &'static [&'static str] {
    match role {
        SpecialUse::Sent => &["Sent", "Sent Items", "Sent Messages", "Sent Mail", "Gesendet"],
        SpecialUse::Drafts => &["Drafts", "Draft", "Entwürfe"],
        SpecialUse::Trash => &["Trash", "Deleted Items", "Deleted Messages", "Bin", "Papierkorb"],
        SpecialUse::Junk => &["Junk", "Spam", "Junk E-mail", "Junk Email", "Bulk Mail"],
        SpecialUse::Archive => &["Archive", "Archives", "All Mail"],
        SpecialUse::All => &["All Mail"],
        SpecialUse::Flagged => &["Starred", "Flagged"],
        SpecialUse::Important => &["Important"],
    }
}

impl FindSpecialPlan {
    fn start(&mut self, ctx: &PlanCtx<'_>) -> Step {
        let mut list = ListCommand::new("*");
        if ctx.has(&Cap::SpecialUse) && ctx.has(&Cap::ListExtended) {
            list.returns.push(ListReturn::SpecialUse);
        }
        Step::Send(vec![Command::List(list)])
    }

    fn on_result(&mut self, result: Result<Completion, CommandError>) -> Step {
        let completion = match result {
            Ok(c) => c,
            Err(e) => return Step::done(Err(e)),
        };
        let entries = match completion.output {
            Output::List(entries) => entries,
            _ => Vec::new(),
        };
        let found = find_special(&entries, self.role);
        Step::done(Ok(Completion { status: completion.status, output: Output::SpecialFolder(found) }))
    }
}

/// The folder with `role`: by attribute, else the shallowest selectable one
/// whose last name component is a common name for the role.
fn find_special(entries: &[ListEntry], role: SpecialUse) -> Option<Mailbox> {
    if let Some(e) = entries.iter().find(|e| e.special_use() == Some(role)) {
        return Some(e.item.mailbox.clone());
    }
    let names = common_names(role);
    entries
        .iter()
        .filter(|e| !e.has(&ListAttribute::NoSelect) && !e.has(&ListAttribute::NonExistent))
        .filter_map(|e| {
            let name = e.item.mailbox.as_str();
            let (depth, leaf) = match e.item.delimiter {
                Some(d) => (name.matches(d).count(), name.rsplit(d).next().unwrap_or(name)),
                None => (0, name),
            };
            names.iter().position(|n| n.eq_ignore_ascii_case(leaf)).map(|rank| ((depth, rank), e))
        })
        .min_by_key(|(key, _)| *key)
        .map(|(_, e)| e.item.mailbox.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ListItem;

    fn entry(name: &str, attrs: &[&str]) -> ListEntry {
        ListEntry {
            item: ListItem {
                attributes: attrs.iter().map(|a| ListAttribute::from_wire(a.as_bytes())).collect(),
                delimiter: Some('/'),
                mailbox: Mailbox::new(name),
                extended: Vec::new(),
            },
            status: None,
        }
    }

    #[test]
    fn special_folder_by_attribute_first() {
        let entries = [entry("Sent", &[]), entry("Gesendete Objekte", &["\\Sent"])];
        assert_eq!(find_special(&entries, SpecialUse::Sent), Some(Mailbox::new("Gesendete Objekte")));
    }

    #[test]
    fn special_folder_by_common_name() {
        let entries = [
            entry("INBOX", &[]),
            entry("Archive/Sent Items", &[]),
            entry("[Gmail]", &["\\Noselect"]),
            entry("[Gmail]/Trash", &[]),
            entry("Sent Items", &[]),
        ];
        assert_eq!(find_special(&entries, SpecialUse::Sent), Some(Mailbox::new("Sent Items")));
        assert_eq!(find_special(&entries, SpecialUse::Trash), Some(Mailbox::new("[Gmail]/Trash")));
        assert_eq!(find_special(&entries, SpecialUse::Junk), None);
    }
}
