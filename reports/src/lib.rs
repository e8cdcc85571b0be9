//! The assessment report (issue 6): reads an analysis batch's output folder — the contract in
//! `analysis/README.md` — draws the charts and renders the report as HTML and PDF.
//!
//! Invariant: this crate renders and never computes a statistic. Every number it prints is a
//! cell of a table in the batch folder; it may only select, sort, round and format.

pub mod charts;
pub mod doc;
pub mod font;
pub mod format;
pub mod html;
pub mod lang;
pub mod pdf;
mod render;
pub mod sections;
pub mod tables;

pub use lang::Lang;
pub use render::{render, Options, Rendered, ReportError};
pub use tables::{Batch, LoadError};
