//! The queue and the commands in flight, with running counts of what the
//! admission and pipelining checks ask about them, so that each check costs
//! O(log n) in the commands waiting, not O(n): a thousand pipelined fetches
//! no longer compare each new command with every one before it.
//!
//! The counts are kept by the only methods that add or remove entries; a
//! command's `spec` and `command` never change once it is in either list.
//! Debug builds check every indexed answer against a scan of the list.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::mem::Discriminant;
use std::ops::{Deref, Index, IndexMut};

use super::scheduler::{InFlight, Queued};
use crate::request::spec::{DataKind, Spec};
use crate::types::{Command, Mailbox, SeqRange};

/// What admission asks of a list of commands, counted.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Barriers (LOGIN, SELECT, ...).
    pub(crate) barriers: usize,
    /// Commands during which the server may expunge.
    pub(crate) may_expunge: usize,
    /// Commands after which the capabilities may change.
    pub(crate) changes_capabilities: usize,
    /// Commands whose success changes the session state.
    pub(crate) state_changers: usize,
    /// SELECT, EXAMINE, CLOSE and UNSELECT: they change which mailbox is
    /// selected, and so whether it is read-only.
    pub(crate) mailbox_switchers: usize,
}

impl Tally {
    fn count(&mut self, spec: &Spec, command: &Command, add: bool) {
        let step = |n: &mut usize, yes: bool| {
            if yes {
                *n = if add { *n + 1 } else { *n - 1 };
            }
        };
        step(&mut self.barriers, spec.barrier);
        step(&mut self.may_expunge, spec.may_expunge);
        step(&mut self.changes_capabilities, spec.changes_capabilities);
        step(&mut self.state_changers, spec.on_success.is_some());
        step(
            &mut self.mailbox_switchers,
            matches!(
                command,
                Command::Select { .. } | Command::Examine { .. } | Command::Close | Command::Unselect
            ),
        );
    }
}

/// The untagged data the commands in flight collect, indexed for
/// [`DataKind::conflicts`] with a new command's.
#[derive(Debug, Default)]
struct DataIndex {
    /// Kinds in flight, of every sort.
    kinds: usize,
    /// Kinds in flight by variant.
    by_variant: HashMap<Discriminant<DataKind>, usize>,
    /// `Any` (a raw command's): it conflicts with everything.
    any: usize,
    /// `Status(None)` (LIST-STATUS).
    status_any: usize,
    /// `Status(Some(mailbox))`, by mailbox.
    status: HashMap<Mailbox, usize>,
    /// FETCH kinds by `uid` (index 1 for UID FETCH).
    fetch: [usize; 2],
    /// FETCH kinds whose set holds `*`.
    fetch_largest: usize,
    /// The ranges of the other FETCH kinds, start to end, by `uid`. Kinds in
    /// flight together do not conflict, so their ranges are disjoint and
    /// the only range that can meet `[lo, hi]` is the last starting at or
    /// before `hi`. Ranges that do meet (one command's own set, say `1:5,3`)
    /// switch the index off until the last FETCH in flight completes.
    ranges: [BTreeMap<u32, u32>; 2],
    /// The ranges are off: FETCH conflicts are found by a scan.
    scan: bool,
}

/// A range as [`crate::request::spec`] compares them: its bounds in order,
/// `*` as the largest number.
fn bounds(r: &SeqRange) -> (u32, u32) {
    let (a, b) = (r.start.resolve(u32::MAX), r.end.resolve(u32::MAX));
    (a.min(b), a.max(b))
}

fn meets(ranges: &BTreeMap<u32, u32>, (lo, hi): (u32, u32)) -> bool {
    ranges.range(..=hi).next_back().is_some_and(|(_, &end)| end >= lo)
}

impl DataIndex {
    fn add(&mut self, kind: &DataKind) {
        self.kinds += 1;
        *self.by_variant.entry(std::mem::discriminant(kind)).or_default() += 1;
        match kind {
            DataKind::Any(_) => self.any += 1,
            DataKind::Status(None) => self.status_any += 1,
            DataKind::Status(Some(m)) => *self.status.entry(m.clone()).or_default() += 1,
            DataKind::Fetch { uid, set } => {
                self.fetch[usize::from(*uid)] += 1;
                if set.has_largest() {
                    self.fetch_largest += 1;
                } else if !self.scan {
                    let ranges = &mut self.ranges[usize::from(*uid)];
                    for r in set.ranges() {
                        let (lo, hi) = bounds(r);
                        if meets(ranges, (lo, hi)) {
                            self.scan = true;
                            self.ranges = Default::default();
                            break;
                        }
                        ranges.insert(lo, hi);
                    }
                }
            }
            _ => {}
        }
    }

    fn remove(&mut self, kind: &DataKind) {
        self.kinds -= 1;
        let variant = std::mem::discriminant(kind);
        if let Some(n) = self.by_variant.get_mut(&variant) {
            *n -= 1;
            if *n == 0 {
                self.by_variant.remove(&variant);
            }
        }
        match kind {
            DataKind::Any(_) => self.any -= 1,
            DataKind::Status(None) => self.status_any -= 1,
            DataKind::Status(Some(m)) => {
                if let Some(n) = self.status.get_mut(m) {
                    *n -= 1;
                    if *n == 0 {
                        self.status.remove(m);
                    }
                }
            }
            DataKind::Fetch { uid, set } => {
                self.fetch[usize::from(*uid)] -= 1;
                if set.has_largest() {
                    self.fetch_largest -= 1;
                } else if !self.scan {
                    let ranges = &mut self.ranges[usize::from(*uid)];
                    for r in set.ranges() {
                        ranges.remove(&bounds(r).0);
                    }
                }
                if self.fetch == [0, 0] {
                    self.scan = false;
                    self.ranges = Default::default();
                }
            }
            _ => {}
        }
    }

    fn variant(&self, kind: &DataKind) -> usize {
        self.by_variant.get(&std::mem::discriminant(kind)).copied().unwrap_or(0)
    }

    /// Whether a kind in flight conflicts with `next`; `None` when only a
    /// scan can tell (the FETCH ranges are off).
    fn conflicts(&self, next: &DataKind) -> Option<bool> {
        use DataKind as K;
        if self.any > 0 {
            return Some(true);
        }
        Some(match next {
            K::Any(_) => self.kinds > 0,
            K::Fetch { uid, set } => {
                let same = self.fetch[usize::from(*uid)];
                if self.fetch[usize::from(!*uid)] > 0 || self.fetch_largest > 0 {
                    true
                } else if same == 0 {
                    false
                } else if set.has_largest() {
                    true
                } else if self.scan {
                    return None;
                } else {
                    set.ranges().iter().any(|r| meets(&self.ranges[usize::from(*uid)], bounds(r)))
                }
            }
            K::Status(Some(m)) => self.status_any > 0 || self.status.contains_key(m),
            K::ESearch => self.variant(&K::Search) > 0,
            K::Search => self.variant(&K::Search) + self.variant(&K::ESearch) > 0,
            // Status(None) meets every STATUS; the rest their own variant.
            other => self.variant(other) > 0,
        })
    }
}

/// The commands on the wire, oldest first.
#[derive(Debug, Default)]
pub(crate) struct InFlightList {
    items: VecDeque<InFlight>,
    tally: Tally,
    data: DataIndex,
}

impl InFlightList {
    pub(crate) fn push_back(&mut self, f: InFlight) {
        self.tally.count(&f.spec, &f.command, true);
        for kind in &f.spec.data {
            self.data.add(kind);
        }
        self.items.push_back(f);
    }

    pub(crate) fn remove(&mut self, i: usize) -> Option<InFlight> {
        let f = self.items.remove(i)?;
        self.forget(&f);
        Some(f)
    }

    fn forget(&mut self, f: &InFlight) {
        self.tally.count(&f.spec, &f.command, false);
        for kind in &f.spec.data {
            self.data.remove(kind);
        }
    }

    /// Every command, oldest first; the list is left empty.
    pub(crate) fn take_all(&mut self) -> VecDeque<InFlight> {
        self.tally = Tally::default();
        self.data = DataIndex::default();
        std::mem::take(&mut self.items)
    }

    pub(crate) fn iter_mut(&mut self) -> std::collections::vec_deque::IterMut<'_, InFlight> {
        self.items.iter_mut()
    }

    /// Gives back the room a busier moment left (an entry is ~800 bytes).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.data.by_variant.shrink_to_fit();
        self.data.status.shrink_to_fit();
    }

    pub(crate) fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Whether `next` must wait for a command in flight (pipelining, RFC
    /// 9051 section 5.5): [`Spec::blocks`] of any of them, without asking
    /// each.
    pub(crate) fn blocks(&self, next: &Spec) -> bool {
        let blocked = self.blocks_indexed(next);
        debug_assert_eq!(blocked, self.items.iter().any(|f| f.spec.blocks(next)), "{next:?}");
        blocked
    }

    fn blocks_indexed(&self, next: &Spec) -> bool {
        if self.items.is_empty() {
            return false;
        }
        if next.barrier || self.tally.barriers > 0 {
            return true;
        }
        if next.seq_numbers && self.tally.may_expunge > 0 {
            return true;
        }
        for kind in &next.data {
            match self.data.conflicts(kind) {
                Some(false) => {}
                Some(true) => return true,
                None => return self.items.iter().any(|f| f.spec.blocks(next)),
            }
        }
        false
    }

    /// Whether a command waits for the server's `+` to send the rest. Only
    /// the newest can: nothing is sent after such a command until it has
    /// sent everything.
    pub(crate) fn owns_wire(&self) -> bool {
        let owns = self.items.back().is_some_and(|f| !f.unsent.is_empty());
        debug_assert_eq!(owns, self.items.iter().any(|f| !f.unsent.is_empty()));
        owns
    }
}

impl Deref for InFlightList {
    type Target = VecDeque<InFlight>;

    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl Index<usize> for InFlightList {
    type Output = InFlight;

    fn index(&self, i: usize) -> &InFlight {
        &self.items[i]
    }
}

/// Mutable access to an entry: its `spec` and `command` must not change.
impl IndexMut<usize> for InFlightList {
    fn index_mut(&mut self, i: usize) -> &mut InFlight {
        &mut self.items[i]
    }
}

/// The commands admitted and not yet on the wire, in order; the commands
/// of compound operations are not counted (nor were they by the checks
/// that ask).
#[derive(Debug, Default)]
pub(crate) struct CommandQueue {
    items: VecDeque<Queued>,
    tally: Tally,
}

impl CommandQueue {
    fn count(&mut self, q: &Queued, add: bool) {
        if let Queued::Command(p) = q {
            self.tally.count(&p.spec, &p.command, add);
        }
    }

    pub(crate) fn push_back(&mut self, q: Queued) {
        self.count(&q, true);
        self.items.push_back(q);
    }

    pub(crate) fn push_front(&mut self, q: Queued) {
        self.count(&q, true);
        self.items.push_front(q);
    }

    pub(crate) fn pop_front(&mut self) -> Option<Queued> {
        let q = self.items.pop_front()?;
        self.count(&q, false);
        Some(q)
    }

    pub(crate) fn remove(&mut self, i: usize) -> Option<Queued> {
        let q = self.items.remove(i)?;
        self.count(&q, false);
        Some(q)
    }

    /// Keeps the entries for which `keep` is true.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Queued) -> bool) {
        let mut tally = std::mem::take(&mut self.tally);
        self.items.retain(|q| {
            let kept = keep(q);
            if !kept {
                if let Queued::Command(p) = q {
                    tally.count(&p.spec, &p.command, false);
                }
            }
            kept
        });
        self.tally = tally;
    }

    /// Every entry, in order; the queue is left empty.
    pub(crate) fn take_all(&mut self) -> VecDeque<Queued> {
        self.tally = Tally::default();
        std::mem::take(&mut self.items)
    }

    /// The first entry, to change a compound operation's progress (a
    /// command's `spec` and `command` must not change).
    pub(crate) fn front_mut(&mut self) -> Option<&mut Queued> {
        self.items.front_mut()
    }

    pub(crate) fn iter_mut(&mut self) -> std::collections::vec_deque::IterMut<'_, Queued> {
        self.items.iter_mut()
    }

    /// Gives back the room a busier moment left.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
    }

    pub(crate) fn tally(&self) -> &Tally {
        &self.tally
    }
}

impl Deref for CommandQueue {
    type Target = VecDeque<Queued>;

    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::request::spec::spec;
    use crate::request::Collector;
    use crate::types::{SearchKey, SelectModifiers, SequenceSet, Tag};

    fn set() -> impl Strategy<Value = SequenceSet> {
        let bound = prop_oneof![8 => (1u32..40).prop_map(|n| n.to_string()), 1 => Just("*".to_string())];
        let range = (bound.clone(), proptest::option::of(bound))
            .prop_map(|(a, b)| b.map_or(a.clone(), |b| format!("{a}:{b}")));
        proptest::collection::vec(range, 1..4)
            .prop_map(|ranges| SequenceSet::parse(ranges.join(",").as_bytes()).expect("a valid set"))
    }

    /// Commands whose specs cover every branch of the index: FETCHes that
    /// meet and do not, `*`, STATUS of one mailbox or another, SEARCH and
    /// ESEARCH, barriers, a raw command.
    fn command() -> impl Strategy<Value = Command> {
        let mailbox = prop_oneof![Just("A"), Just("B"), Just("C")];
        prop_oneof![
            12 => (any::<bool>(), set()).prop_map(|(uid, set)| Command::fetch(uid, set, Vec::new())),
            3 => mailbox.prop_map(|m| Command::Status { mailbox: Mailbox::new(m), items: Vec::new() }),
            2 => (any::<bool>(), any::<bool>()).prop_map(|(uid, e)| Command::Search {
                uid,
                criteria: SearchKey::All,
                returns: e.then(Vec::new),
            }),
            1 => Just(Command::Noop),
            1 => Just(Command::Capability),
            1 => Just(Command::Expunge),
            1 => Just(Command::Namespace),
            1 => Just(Command::Select { mailbox: Mailbox::inbox(), modifiers: SelectModifiers::default() }),
            1 => Just(Command::Raw { name: "XTEST".into(), args: Vec::new() }),
        ]
    }

    fn in_flight(command: Command) -> InFlight {
        InFlight {
            tag: Tag::from_parsed(bytes::Bytes::from_static(b"T")),
            spec: spec(&command),
            collector: Collector::for_command(&command, false),
            command,
            owner: super::super::scheduler::Owner::Engine,
            unsent: VecDeque::new(),
            sasl: None,
            idle: None,
            collected: 0,
            overflow: None,
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Send(Command),
        Complete(usize),
        Ask(Command),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => command().prop_map(Op::Send),
            2 => any::<usize>().prop_map(Op::Complete),
            3 => command().prop_map(Op::Ask),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The index answers as asking every command in flight would,
        /// whatever was sent (allowed or not) and completed in any order.
        #[test]
        fn the_index_answers_as_a_scan(ops in proptest::collection::vec(op(), 1..80)) {
            let mut list = InFlightList::default();
            for op in ops {
                match op {
                    Op::Send(c) => list.push_back(in_flight(c)),
                    Op::Complete(i) => {
                        if !list.is_empty() {
                            let i = i % list.len();
                            prop_assert!(list.remove(i).is_some());
                        }
                    }
                    Op::Ask(c) => {
                        let next = spec(&c);
                        let scan = list.iter().any(|f| f.spec.blocks(&next));
                        prop_assert_eq!(list.blocks_indexed(&next), scan, "{:?}", c);
                    }
                }
                let expected = list.iter().filter(|f| f.spec.may_expunge).count();
                prop_assert_eq!(list.tally().may_expunge, expected);
            }
            list.take_all();
            prop_assert!(!list.blocks(&spec(&Command::Noop)));
        }
    }
}
