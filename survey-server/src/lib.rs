//! minyi's survey server: questionnaires, campaigns, the citizen's form and durable responses,
//! on SQLite (embedded, the default) or PostgreSQL.
//!
//! Only this crate knows HTTP and the database. Start reading at [`startup::Application`] and
//! the route table in [`routes::configure`].

pub mod anonymity;
pub mod anti_stuffing;
pub mod api;
pub mod auth;
pub mod citizen;
pub mod cli;
pub mod config;
pub mod console;
pub mod contacts_export;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod fieldwork;
pub mod integrity;
pub mod keys;
pub mod qr;
pub mod read_timeout;
pub mod report;
pub mod routes;
pub mod startup;
pub mod token;
