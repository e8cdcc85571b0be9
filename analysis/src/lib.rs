//! minyi's analysis: every number of the assessment, following `shared/METHODS.md`.

pub mod stats;
