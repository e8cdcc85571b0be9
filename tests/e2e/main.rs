//! minyi's end-to-end suite: the real server on port 0, a fresh SQLite file or PostgreSQL
//! database per test, a real HTTP client, and a real browser.

mod helpers;
mod plans;
mod privacy;

mod analysis_bundle;
mod anti_stuffing;
mod api;
mod browser;
mod calls;
mod calls_browser;
mod campaigns;
mod case_codes;
mod console;
mod console_login;
mod distribution;
mod exports;
mod fieldwork;
mod form_get;
mod fuzz_submit;
mod hostile_input;
mod integrity;
mod integrity_held;
mod integrity_keys;
mod linkage;
mod report_browser;
mod report_viewer;
mod slow_body;
mod storage;
mod submit;
mod submit_invalid;
mod tamper;
mod tamper_heads;
