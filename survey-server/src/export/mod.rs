//! Exports of a campaign: the responses (one row per response, one column per item, codes or
//! value labels), the codebook, and a bundle with the questionnaire and a manifest. Every
//! export walks the campaign page by page ([`walk::Walk`], reading ahead on a thread of its
//! own): memory stays flat however many responses there are.

pub mod bundle;
pub mod csv_stream;
pub mod parquet;
pub mod table;
pub mod walk;
pub mod xlsx;
mod zip_pipe;

/// Responses read per database round trip.
pub const PAGE_SIZE: i64 = 2_000;
