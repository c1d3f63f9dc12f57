//! Every state of a session and every transition between them, in one
//! place. Which command may run where and what its success does is in each
//! command's descriptor (`request/spec.rs`); this module applies it.
//!
//! ```text
//!            greeting OK          LOGIN/AUTHENTICATE OK        SELECT/EXAMINE OK
//! Greeting ───────────────▶ NotAuthenticated ─────────────▶ Authenticated ◀────────▶ Selected
//!     │  greeting PREAUTH ──────────────────────────────────▲      CLOSE/UNSELECT OK,
//!     │                                                            failed SELECT
//!     └── greeting BYE / LOGOUT / BYE / EOF (from any state) ──▶ Logout
//! ```
//!
//! Within those, sub-states that hold the wire:
//!
//! ```text
//! IDLE:       Starting ──(+)──▶ Idling ──(DONE sent)──▶ Done ──(tagged OK)──▶ over
//!                                  └──(refresh timer: DONE, OK, IDLE again)──┘
//! switching:  None ──(STARTTLS OK)──▶ StartTls ──(driver's handshake done)──▶ None
//! SASL:       exchange ──(+ challenge)──▶ waiting for an answer ──(answer sent)──▶ exchange
//! logout:     LOGOUT sent ──(BYE)──▶ bye seen ──(tagged OK or EOF)──▶ Logout
//! ```

use crate::request::spec::Spec;
pub(crate) use crate::types::StateName;

impl StateName {
    /// The state after a command with this descriptor succeeds.
    pub(crate) fn after_success(self, spec: &Spec) -> StateName {
        spec.on_success.unwrap_or(self)
    }

    /// The state after a command with this descriptor fails (NO or BAD): a
    /// failed SELECT or EXAMINE leaves no mailbox selected (RFC 9051
    /// section 6.3.2).
    pub(crate) fn after_failure(self, spec: &Spec) -> StateName {
        if spec.deselects_on_failure && self == StateName::Selected {
            StateName::Authenticated
        } else {
            self
        }
    }

    /// The state after the greeting: OK, or PREAUTH.
    pub(crate) fn after_greeting(preauth: bool) -> StateName {
        if preauth {
            StateName::Authenticated
        } else {
            StateName::NotAuthenticated
        }
    }
}

/// Where an IDLE command is (RFC 2177).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdlePhase {
    /// IDLE sent, waiting for `+`.
    Starting,
    /// `+` received: untagged data flows as events.
    Idling,
    /// DONE sent, waiting for the tagged OK.
    Done,
}

/// A transport switch in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Switching {
    None,
    /// STARTTLS OK seen; waiting for the driver's handshake.
    StartTls,
}

/// Where a LOGOUT is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogoutPhase {
    /// No LOGOUT in flight, or no BYE seen yet.
    None,
    /// An untagged BYE arrived while LOGOUT was in flight: the end of the
    /// stream (before the tagged OK) is the logout succeeding.
    ByeSeen,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::spec::spec;
    use crate::types::Command;

    #[test]
    fn transitions() {
        let s = StateName::NotAuthenticated.after_success(&spec(&Command::login("u", "p")));
        assert_eq!(s, StateName::Authenticated);
        assert_eq!(StateName::Selected.after_success(&spec(&Command::Close)), StateName::Authenticated);
        assert_eq!(StateName::Selected.after_success(&spec(&Command::Noop)), StateName::Selected);
        let select = spec(&Command::select("x"));
        assert_eq!(StateName::Selected.after_failure(&select), StateName::Authenticated);
        assert_eq!(StateName::Authenticated.after_failure(&select), StateName::Authenticated);
        assert_eq!(StateName::Selected.after_failure(&spec(&Command::Noop)), StateName::Selected);
    }
}
