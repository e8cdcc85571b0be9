//! Fieldwork on a probability sample (issue #13): frames, the draw, interviewers' cases,
//! dispositions and SMS invitations, as the server runs them. The arithmetic (the draw, the
//! AAPOR codes and rates, the queue's order) is the `minyi-fieldwork` crate.

pub mod dispositions;
pub mod draw;
pub mod frame;
pub mod outbox;
pub mod seal;
pub mod sms_gateway;
pub mod status;
pub mod verify;
