//! Running compound operations ([`crate::request::Plan`]): a plan starts
//! when it reaches the front of the queue with the capabilities known,
//! sends its commands as steps of its own, and delivers one result.

use super::scheduler::{Owner, Pending, Queued};
use super::Client;
use crate::error::{CommandError, UsageError};
use crate::request::{CommandId, Completion, PlanCtx, Step};

impl Client {
    /// Starts the plan at the front of the queue.
    pub(crate) fn start_plan(&mut self) {
        let state = self.state;
        let read_only = self.read_only();
        let ctx = PlanCtx { caps: &self.caps };
        let Some(Queued::Plan(run)) = self.queue.front_mut() else { return };
        run.started = true;
        if !self.slots.contains_key(&run.id) {
            // Abandoned before it started: nothing is sent.
            run.over = true;
            return;
        }
        let (id, validity) = (run.id, run.plan.validity());
        let step = if !validity.allows(state) {
            let e = UsageError::WrongState { command: run.plan.name(), state };
            Step::done(Err(CommandError::NotSent(e)))
        } else if run.plan.modifies_mailbox() && read_only {
            // Checked before the first step: a MOVE by COPY must not copy
            // what it could not then delete.
            let e = UsageError::ReadOnly { command: run.plan.name() };
            Step::done(Err(CommandError::NotSent(e)))
        } else {
            run.plan.start(&ctx)
        };
        self.apply_step(id, step);
    }

    /// The result of a plan's command.
    pub(crate) fn plan_result(
        &mut self,
        plan: CommandId,
        step: usize,
        result: Result<Completion, CommandError>,
    ) {
        let Some(run) = self.plan_run(plan) else { return };
        run.outstanding = run.outstanding.saturating_sub(1);
        let next = run.plan.on_result(step, result);
        self.apply_step(plan, next);
    }

    fn plan_run(&mut self, id: CommandId) -> Option<&mut super::scheduler::PlanRun> {
        self.queue.iter_mut().find_map(|q| match q {
            Queued::Plan(run) if run.id == id && !run.over => Some(run),
            _ => None,
        })
    }

    fn apply_step(&mut self, id: CommandId, step: Step) {
        match step {
            Step::Wait => {}
            Step::Send(commands) => {
                let tags: Vec<_> = commands.iter().map(|_| self.next_tag()).collect();
                let Some(run) = self.plan_run(id) else { return };
                for (command, tag) in commands.into_iter().zip(tags) {
                    let owner = Owner::Plan { plan: id, step: run.numbered };
                    run.numbered += 1;
                    run.steps.push_back(Pending::new(tag, command, owner));
                }
            }
            Step::Done(result) => {
                if let Some(run) = self.plan_run(id) {
                    run.over = true;
                    run.steps.clear();
                }
                self.deliver(id, *result);
            }
        }
    }
}
