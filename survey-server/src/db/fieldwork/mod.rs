//! Fieldwork rows (issue #13): frames, the draw and its releases, sampled cases with their
//! sealed contacts, attempts, holds, SMS sends and settings. Plain functions over `&mut
//! DbConn`; what is sealed is sealed by the caller (`crate::fieldwork::seal`), never here.

pub mod cases;
pub mod draws;
pub mod frames;
pub mod settings;
pub mod verifications;

/// Rows per multi-row insert (well under SQLite's and PostgreSQL's parameter limits).
const ROWS_PER_INSERT: usize = 400;
