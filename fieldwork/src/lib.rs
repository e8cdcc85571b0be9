//! Fieldwork on a probability sample (issue #13): what the server and the analysis share about
//! a sample drawn from a frame. No HTTP, no database: functions over data and bytes.

pub mod disposition;
pub mod draw;
pub mod frame_file;
pub mod rates;
pub mod schedule;
pub mod sms;
pub mod verification;
