//! Collectors: each in-flight command's accumulator of the untagged data
//! routed to it (routing itself is [`DataKind::matches`](super::spec::DataKind::matches)),
//! turned into a typed [`Output`] by the tagged OK.

use std::collections::HashMap;

use super::results::*;
use crate::types::{
    Capabilities, Command, Data, ESearch, Fetch, Mailbox, Response, ResponseCode, SequenceSet, Status,
};

/// Most message numbers taken from one ESEARCH ALL set for a plain SEARCH.
const MAX_ESEARCH_IDS: usize = 1 << 24;

/// The accumulator of one in-flight command.
#[derive(Debug)]
pub(crate) enum Collector {
    Done,
    /// The command was abandoned: its data is dropped as it arrives.
    Discard,
    Capability(Option<Capabilities>),
    Authenticated,
    Select(Box<SelectResult>),
    List(Vec<ListEntry>),
    Status(Mailbox, Option<MailboxStatus>),
    Search(SearchResult),
    ESearch(ESearch),
    Sort(SearchResult),
    Thread(Vec<crate::types::Thread>),
    Fetch(FetchCollector),
    Store(FetchCollector),
    Copy,
    Move(MoveResult),
    Expunge(ExpungeResult),
    Append,
    Namespace(Option<crate::types::Namespaces>),
    Quota(QuotaResult),
    Acl(Vec<crate::types::AclEntry>),
    ListRights(ListRightsResult),
    MyRights(crate::types::ByteStr),
    Metadata(Vec<crate::types::MetadataEntry>),
    Annotation(Vec<crate::types::Annotation>),
    Id(Option<Vec<(crate::types::ByteStr, Option<crate::types::ByteStr>)>>),
    Enabled(Capabilities),
    Raw(Vec<Response>),
}

/// FETCH responses for one FETCH or STORE, merged per message.
#[derive(Debug, Default)]
pub(crate) struct FetchCollector {
    streaming: bool,
    streamed: u32,
    fetches: Vec<Fetch>,
    by_seq: HashMap<u32, usize>,
}

impl FetchCollector {
    fn new(streaming: bool) -> Self {
        Self { streaming, ..Default::default() }
    }

    fn add(&mut self, fetch: Fetch) {
        match self.by_seq.get(&fetch.seq) {
            Some(&i) => self.fetches[i].items.extend(fetch.items),
            None => {
                self.by_seq.insert(fetch.seq, self.fetches.len());
                self.fetches.push(fetch);
            }
        }
    }
}

impl Collector {
    /// The collector for a command.
    pub(crate) fn for_command(cmd: &Command, streaming: bool) -> Self {
        match cmd {
            Command::Capability => Collector::Capability(None),
            Command::Login { .. } | Command::Authenticate { .. } => Collector::Authenticated,
            Command::Select { mailbox, .. } | Command::Examine { mailbox, .. } => {
                let mut r = SelectResult::default();
                r.mailbox.name = Some(mailbox.clone());
                r.mailbox.read_only = matches!(cmd, Command::Examine { .. });
                Collector::Select(Box::new(r))
            }
            Command::List(_) | Command::Lsub { .. } => Collector::List(Vec::new()),
            Command::Status { mailbox, .. } => Collector::Status(mailbox.clone(), None),
            Command::Search { returns: Some(_), .. } => Collector::ESearch(ESearch::default()),
            Command::Search { .. } => Collector::Search(SearchResult::default()),
            Command::Sort { .. } => Collector::Sort(SearchResult::default()),
            Command::Thread { .. } => Collector::Thread(Vec::new()),
            Command::Fetch { .. } => Collector::Fetch(FetchCollector::new(streaming)),
            Command::Store { .. } | Command::StoreGmailLabels { .. } => {
                Collector::Store(FetchCollector::new(false))
            }
            Command::Copy { .. } => Collector::Copy,
            Command::Move { .. } => Collector::Move(MoveResult::default()),
            Command::Expunge | Command::UidExpunge(_) => Collector::Expunge(ExpungeResult::default()),
            Command::Append { .. } => Collector::Append,
            Command::Namespace => Collector::Namespace(None),
            Command::GetQuota(_) | Command::GetQuotaRoot(_) => Collector::Quota(QuotaResult::default()),
            Command::GetAcl(_) => Collector::Acl(Vec::new()),
            Command::ListRights { .. } => Collector::ListRights(ListRightsResult::default()),
            Command::MyRights(_) => Collector::MyRights(Default::default()),
            Command::GetMetadata { .. } => Collector::Metadata(Vec::new()),
            Command::GetAnnotation { .. } => Collector::Annotation(Vec::new()),
            Command::Id(_) => Collector::Id(None),
            Command::Enable(_) => Collector::Enabled(Capabilities::new()),
            Command::Raw { .. } => Collector::Raw(Vec::new()),
            _ => Collector::Done,
        }
    }

    /// Whether FETCH data is delivered message by message instead of
    /// collected.
    pub(crate) fn streams(&self) -> bool {
        matches!(self, Collector::Fetch(f) if f.streaming)
    }

    /// Counts a FETCH delivered on its own.
    pub(crate) fn count_streamed(&mut self) {
        if let Collector::Fetch(f) = self {
            f.streamed += 1;
        }
    }

    /// Whether the data feeds the session's own state (the mailbox being
    /// selected, the capabilities, what is enabled), so it is collected even
    /// for an abandoned command.
    pub(crate) fn feeds_session(&self) -> bool {
        matches!(self, Collector::Select(_) | Collector::Capability(_) | Collector::Enabled(_))
    }

    /// Takes a claimed response.
    pub(crate) fn accept(&mut self, resp: Response) {
        use Collector as C;
        let data = match resp {
            Response::Status(Status { code: Some(code), .. }) => {
                match self {
                    C::Select(r) => {
                        r.closed |= code == ResponseCode::Closed;
                        r.mailbox.apply_code(&code)
                    }
                    C::Move(m) => {
                        if let ResponseCode::CopyUid { uid_validity, source, dest } = code {
                            m.copy_uid = Some(CopyUid { uid_validity, source, dest });
                        }
                    }
                    _ => {}
                }
                return;
            }
            Response::Data(d) => d,
            _ => return,
        };
        match (self, data) {
            (C::Capability(c), Data::Capability(caps)) => *c = Some(caps),
            (C::Select(r), d) => match d {
                Data::Flags(f) => r.mailbox.flags = f,
                Data::Exists(n) => r.mailbox.exists = n,
                Data::Recent(n) => r.mailbox.recent = n,
                Data::Fetch(f) => r.changed.push(f),
                Data::Vanished { uids, .. } => {
                    for range in uids.ranges() {
                        r.vanished.push_range(range.start, range.end);
                    }
                }
                _ => {}
            },
            (C::List(entries), Data::List(item) | Data::Lsub(item)) => {
                entries.push(ListEntry { item, status: None })
            }
            (C::List(entries), Data::Status { mailbox, items }) => {
                let status = MailboxStatus::from_items(mailbox.clone(), items);
                if let Some(e) = entries.iter_mut().rev().find(|e| e.item.mailbox == mailbox) {
                    e.status = Some(status);
                }
            }
            (C::Status(_, s), Data::Status { mailbox, items }) => {
                *s = Some(MailboxStatus::from_items(mailbox, items))
            }
            (C::Search(r) | C::Sort(r), Data::Search { ids, modseq } | Data::Sort { ids, modseq }) => {
                r.ids.extend(ids);
                r.modseq = r.modseq.max(modseq);
            }
            (C::ESearch(e), Data::ESearch(found)) => *e = found,
            (C::Search(r), Data::ESearch(found)) => {
                if let Some(all) = found.all.filter(|s| !s.has_largest()) {
                    // Bounded: a server could announce a range of 2^32 numbers.
                    r.ids.extend(all.iter(0).take(MAX_ESEARCH_IDS));
                }
                r.modseq = r.modseq.max(found.modseq);
            }
            (C::ESearch(e), Data::Search { ids, modseq }) => {
                e.count = Some(ids.len() as u32);
                e.min = ids.iter().min().copied();
                e.max = ids.iter().max().copied();
                e.all = (!ids.is_empty()).then(|| ids.iter().copied().collect());
                e.modseq = modseq;
            }
            (C::Thread(t), Data::Thread(threads)) => t.extend(threads),
            (C::Fetch(f) | C::Store(f), Data::Fetch(fetch)) => f.add(fetch),
            (C::Fetch(_), Data::Vanished { .. }) => {}
            (C::Move(m), Data::Expunge(n)) => m.expunged.push(n),
            (C::Move(m), Data::Vanished { uids, .. }) => append_set(&mut m.vanished, &uids),
            (C::Expunge(e), Data::Expunge(n)) => e.expunged.push(n),
            (C::Expunge(e), Data::Vanished { uids, .. }) => append_set(&mut e.vanished, &uids),
            (C::Namespace(n), Data::Namespace(ns)) => *n = Some(ns),
            (C::Quota(q), Data::Quota(quota)) => q.quotas.push(quota),
            (C::Quota(q), Data::QuotaRoot { roots, .. }) => q.roots.extend(roots),
            (C::Acl(a), Data::Acl { entries, .. }) => a.extend(entries),
            (C::ListRights(l), Data::ListRights { required, optional, .. }) => {
                l.required = required;
                l.optional = optional;
            }
            (C::MyRights(r), Data::MyRights { rights, .. }) => *r = rights,
            (C::Metadata(m), Data::Metadata { entries, .. }) => m.extend(entries),
            (C::Annotation(a), Data::Annotation { entries, .. }) => a.extend(entries),
            (C::Id(i), Data::Id(params)) => *i = params,
            (C::Enabled(e), Data::Enabled(caps)) => {
                for c in caps.iter() {
                    e.insert(c.clone());
                }
            }
            (C::Raw(responses), d) => responses.push(Response::Data(d)),
            _ => {}
        }
    }

    /// The typed output, from the collected data and the tagged OK.
    pub(crate) fn finish(self, status: &Status) -> Output {
        let code = status.code.as_ref();
        match self {
            Collector::Discard => Output::Done,
            Collector::Done | Collector::Copy | Collector::Append => match code {
                Some(ResponseCode::CopyUid { uid_validity, source, dest }) => Output::Copy(CopyResult {
                    copy_uid: Some(CopyUid {
                        uid_validity: *uid_validity,
                        source: source.clone(),
                        dest: dest.clone(),
                    }),
                }),
                Some(ResponseCode::AppendUid { uid_validity, uids }) => Output::Append(AppendResult {
                    uid_validity: Some(*uid_validity),
                    uids: Some(uids.clone()),
                }),
                _ => match self {
                    Collector::Copy => Output::Copy(CopyResult::default()),
                    Collector::Append => Output::Append(AppendResult::default()),
                    _ => Output::Done,
                },
            },
            Collector::Capability(c) => match (c, code) {
                (Some(c), _) => Output::Capabilities(c),
                (None, Some(ResponseCode::Capability(c))) => Output::Capabilities(c.clone()),
                (None, _) => Output::Capabilities(Capabilities::new()),
            },
            Collector::Authenticated => Output::Authenticated(match code {
                Some(ResponseCode::Capability(c)) => Some(c.clone()),
                _ => None,
            }),
            Collector::Select(mut r) => {
                if let Some(c) = code {
                    r.mailbox.apply_code(c);
                }
                Output::Select(*r)
            }
            Collector::List(entries) => Output::List(entries),
            Collector::Status(m, s) => {
                Output::Status(s.unwrap_or(MailboxStatus { mailbox: Some(m), ..Default::default() }))
            }
            Collector::Search(r) => Output::Search(r),
            Collector::ESearch(e) => Output::ESearch(e),
            Collector::Sort(r) => Output::Sort(r),
            Collector::Thread(t) => Output::Thread(t),
            Collector::Fetch(f) if f.streaming => Output::Streamed(f.streamed),
            Collector::Fetch(f) => Output::Fetch(f.fetches),
            Collector::Store(f) => Output::Store(StoreResult {
                fetches: f.fetches,
                modified: match code {
                    Some(ResponseCode::Modified(s)) => Some(s.clone()),
                    _ => None,
                },
            }),
            Collector::Move(mut m) => {
                if let Some(ResponseCode::CopyUid { uid_validity, source, dest }) = code {
                    m.copy_uid = Some(CopyUid {
                        uid_validity: *uid_validity,
                        source: source.clone(),
                        dest: dest.clone(),
                    });
                }
                Output::Move(m)
            }
            Collector::Expunge(e) => Output::Expunge(e),
            Collector::Namespace(n) => Output::Namespace(n.unwrap_or_default()),
            Collector::Quota(q) => Output::Quota(q),
            Collector::Acl(a) => Output::Acl(a),
            Collector::ListRights(l) => Output::ListRights(l),
            Collector::MyRights(r) => Output::MyRights(r),
            Collector::Metadata(m) => Output::Metadata(m),
            Collector::Annotation(a) => Output::Annotation(a),
            Collector::Id(i) => Output::Id(i),
            Collector::Enabled(e) => Output::Enabled(e),
            Collector::Raw(responses) => Output::Raw(responses),
        }
    }
}

fn append_set(into: &mut SequenceSet, more: &SequenceSet) {
    for r in more.ranges() {
        into.push_range(r.start, r.end);
    }
}
