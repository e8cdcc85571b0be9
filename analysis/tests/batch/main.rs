//! Batches end to end: a small hand-checkable batch, bad inputs naming file/row/column,
//! `analysis check` listing problems, bundles refused unless overridden, the demo batch.

mod bad_input;
mod bundle;
mod check;
mod cli;
mod demo;
mod formats;
mod golden;
mod helpers;
mod screening;
mod small;
mod weights;
