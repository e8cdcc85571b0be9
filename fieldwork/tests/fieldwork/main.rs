//! The fieldwork crate's tests, one binary: a module per source module, each test a worked
//! example whose expected value is computed by hand in a comment.

mod disposition;
mod draw;
mod helpers;
mod rates;
mod schedule;
mod sms;
mod verification;
