//! The session states of RFC 9051 section 3 (the engine's transitions are
//! in the `state` module).

use std::fmt;

/// The session state (RFC 9051 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StateName {
    /// Waiting for the server's greeting.
    Greeting,
    /// Connected, not logged in.
    NotAuthenticated,
    /// Logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// The session is over (LOGOUT, BYE, or connection lost).
    Logout,
}

impl fmt::Display for StateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateName::Greeting => "greeting",
            StateName::NotAuthenticated => "not authenticated",
            StateName::Authenticated => "authenticated",
            StateName::Selected => "selected",
            StateName::Logout => "logout",
        })
    }
}
