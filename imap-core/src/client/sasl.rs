//! AUTHENTICATE exchanges (RFC 4422, RFC 9051 section 6.2.2): challenges
//! answered by a mechanism object, or by the application through events.

use base64::Engine as _;
use bytes::Bytes;

use super::scheduler::Owner;
use super::trace::Direction;
use super::Client;
use crate::encode::encode_sasl_response;
use crate::error::UsageError;
use crate::event::Event;
use crate::ext::sasl::{SaslError, SaslMechanism};
use crate::types::{Capabilities, Capability, Command, Continue, Secret};

/// The client side of one AUTHENTICATE.
#[derive(Debug)]
pub(crate) struct SaslRun {
    answerer: Answerer,
    /// An interactive initial response held back for lack of SASL-IR: the
    /// answer to the first (empty) challenge.
    deferred_ir: Option<Secret<Vec<u8>>>,
    /// The mechanism failed on our side; the exchange was cancelled.
    pub(crate) error: Option<SaslError>,
}

#[derive(Debug)]
enum Answerer {
    /// A mechanism object answers the challenges.
    Mechanism(Box<dyn SaslMechanism>),
    /// The application answers through [`Event::SaslChallenge`].
    Interactive { waiting: bool },
}

impl SaslRun {
    pub(crate) fn mechanism(mechanism: Box<dyn SaslMechanism>) -> Self {
        SaslRun { answerer: Answerer::Mechanism(mechanism), deferred_ir: None, error: None }
    }

    pub(crate) fn interactive() -> Self {
        SaslRun { answerer: Answerer::Interactive { waiting: false }, deferred_ir: None, error: None }
    }

    /// Puts the initial response in the command with SASL-IR (RFC 4959);
    /// without it the response waits for the server's first, empty challenge.
    pub(crate) fn prepare(mut self, command: &mut Command, caps: &Capabilities) -> Self {
        let Command::Authenticate { initial_response, .. } = command else { return self };
        let sasl_ir = caps.has(&Capability::SaslIr) || caps.is_rev2();
        match &mut self.answerer {
            // Without SASL-IR the mechanism answers the first (empty)
            // challenge with its initial response.
            Answerer::Mechanism(mech) if sasl_ir => *initial_response = mech.initial_response(),
            Answerer::Mechanism(_) => {}
            Answerer::Interactive { .. } if !sasl_ir => self.deferred_ir = initial_response.take(),
            Answerer::Interactive { .. } => {}
        }
        self
    }

    /// The server's OK: a mechanism with mutual authentication checks the
    /// server proved itself.
    pub(crate) fn verify_success(&mut self) -> Result<(), SaslError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match &mut self.answerer {
            Answerer::Mechanism(mech) => mech.verify_success(),
            Answerer::Interactive { .. } => Ok(()),
        }
    }

    fn waiting(&self) -> bool {
        matches!(self.answerer, Answerer::Interactive { waiting: true })
    }
}

impl Client {
    /// Answers the pending [`Event::SaslChallenge`]; `None` cancels the
    /// exchange (`*`), after which the server answers BAD.
    pub fn sasl_respond(&mut self, response: Option<&[u8]>) -> Result<(), UsageError> {
        let Some(run) = self.in_flight.iter_mut().filter_map(|f| f.sasl.as_mut()).find(|run| run.waiting())
        else {
            return Err(UsageError::NotApplicable("no SASL challenge is waiting for an answer"));
        };
        run.answerer = Answerer::Interactive { waiting: false };
        self.trace.push(Direction::Sent, "<SASL response>".into());
        self.send(encode_sasl_response(response));
        Ok(())
    }

    /// Whether an interactive exchange waits for the application's answer
    /// (the server owes nothing meanwhile).
    pub(crate) fn sasl_waiting(&self) -> bool {
        self.in_flight.iter().filter_map(|f| f.sasl.as_ref()).any(SaslRun::waiting)
    }

    /// Cancels an interactive exchange nobody will answer (abandoned).
    pub(crate) fn sasl_cancel_abandoned(&mut self) {
        let waiting = self
            .in_flight
            .iter()
            .any(|f| f.sasl.as_ref().is_some_and(SaslRun::waiting) && self.owner_gone(f.owner));
        if waiting {
            let _ = self.sasl_respond(None);
        }
    }

    /// A `+` during the AUTHENTICATE in flight at `i`.
    pub(crate) fn sasl_challenge(&mut self, i: usize, cont: Continue) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(cont.text.as_bytes().trim_ascii())
            .unwrap_or_default();
        self.trace.push(Direction::Received, "+ <SASL challenge>".into());
        let owner = self.in_flight[i].owner;
        let Some(mut run) = self.in_flight[i].sasl.take() else { return };
        let mut event = None;
        let answer = if let Some(ir) = run.deferred_ir.take() {
            Some(encode_sasl_response(Some(ir.expose_secret())))
        } else {
            match &mut run.answerer {
                Answerer::Mechanism(mech) => match mech.respond(&decoded) {
                    Ok(r) => Some(encode_sasl_response(Some(r.expose_secret()))),
                    Err(e) => {
                        run.error = Some(e);
                        Some(encode_sasl_response(None))
                    }
                },
                Answerer::Interactive { waiting } => match owner {
                    Owner::User(id) if !self.owner_gone(owner) => {
                        *waiting = true;
                        event = Some(Event::SaslChallenge { id, data: Bytes::from(decoded) });
                        None
                    }
                    // Nobody is there to answer: cancel.
                    _ => Some(encode_sasl_response(None)),
                },
            }
        };
        self.in_flight[i].sasl = Some(run);
        if let Some(line) = answer {
            self.trace.push(Direction::Sent, "<SASL response>".into());
            self.send(line);
        }
        if let Some(event) = event {
            self.events.push_back(event);
        }
    }
}
