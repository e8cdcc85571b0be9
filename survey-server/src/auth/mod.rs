//! Who may use the console: roles, password hashing, sessions, CSRF and login throttling.

pub mod guard;
pub mod login_csrf;
pub mod password;
pub mod session;
pub mod throttle;

use std::fmt;

/// The console's roles, least to most powerful: each role may do what the ones below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Leadership: dashboards and reports.
    Viewer,
    /// The third-party evaluator: sees all data, exports.
    Evaluator,
    /// Manages everything: campaigns, units, accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Evaluator, Role::Admin];

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "viewer" => Some(Role::Viewer),
            "evaluator" => Some(Role::Evaluator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Evaluator => "evaluator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
