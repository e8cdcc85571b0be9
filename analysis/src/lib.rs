//! minyi's analysis: every number of the assessment, following `shared/METHODS.md`.
//!
//! The flow of a batch: [`config`] (the batch file) → [`check`] (every problem named) →
//! [`input`] (bundles verified, tables typed against the questionnaire) → [`run`] (screens,
//! weights, estimates, changes, the verdict, from the pure estimators in [`stats`]) →
//! [`output`] (the files the report reads). [`demo`] makes two synthetic waves.

pub mod check;
pub mod config;
pub mod demo;
pub mod input;
pub mod labels;
pub mod output;
pub mod run;
pub mod stats;
pub mod stream;
pub mod text;
pub mod tree;
