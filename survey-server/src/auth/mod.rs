//! Who may use the console: roles, password hashing, sessions, CSRF and login throttling.

pub mod guard;
pub mod login_csrf;
pub mod password;
pub mod session;
pub mod throttle;

use std::fmt;

/// The console's roles. Viewer, evaluator and admin are ranked (each may do what the ones
/// before it may); an interviewer stands apart: only the interviewer's pages (the cases to
/// call, with their phone numbers), which evaluators and admins may also use and viewers may
/// not ([`Role::may`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Leadership: dashboards and reports.
    Viewer,
    /// Calls sampled cases and keys their answers (fieldwork); sees nothing else.
    Interviewer,
    /// The third-party evaluator: sees all data, exports.
    Evaluator,
    /// Manages everything: campaigns, units, accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Viewer,
        Role::Interviewer,
        Role::Evaluator,
        Role::Admin,
    ];

    /// Whether this role may use a route that needs `access`.
    pub fn may(self, access: Access) -> bool {
        match (self, access) {
            (_, Access::Staff) => true,
            (Role::Admin, _) => true,
            (Role::Evaluator, access) => access != Access::Admin,
            (Role::Viewer, access) => access == Access::Viewer,
            (Role::Interviewer, access) => access == Access::Interviewer,
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "viewer" => Some(Role::Viewer),
            "interviewer" => Some(Role::Interviewer),
            "evaluator" => Some(Role::Evaluator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Interviewer => "interviewer",
            Role::Evaluator => "evaluator",
            Role::Admin => "admin",
        }
    }
}

/// What a console route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Any signed-in account (the console's home, signing out).
    Staff,
    /// Viewer, evaluator or admin: aggregates and reports.
    Viewer,
    /// Interviewer, evaluator or admin: the cases to call.
    Interviewer,
    /// Evaluator or admin: the data.
    Evaluator,
    /// Admin only.
    Admin,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
