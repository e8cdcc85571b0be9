//! `survey-server contacts export SLUG`: the contact details a campaign's respondents left for
//! a follow-up, opened with the server's key for the evaluator. They never appear in any other
//! export, and nothing in them names a response.

use std::io::Write;

use anyhow::{Context, Result};

use crate::anonymity::AnonymityKeys;
use crate::db::{campaigns, contacts, DbPool};

/// Writes `unit,unit_name,contact` (UTF-8 with a BOM, so Excel reads the Chinese) to `out`;
/// returns how many contacts were written.
pub fn export(
    pool: &DbPool,
    keys: &AnonymityKeys,
    slug: &str,
    out: &mut dyn Write,
) -> Result<usize> {
    let mut conn = pool.get()?;
    let ctx = campaigns::load_context(&mut conn, slug)?
        .with_context(|| format!("there is no campaign {slug:?}"))?;
    let opened = contacts::open_all(&mut conn, keys, ctx.campaign.id)
        .context("opening the sealed contacts (is this the server's key file?)")?;
    out.write_all(crate::export::csv_stream::BOM)?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["unit", "unit_name", "contact"])?;
    for contact in &opened {
        let unit = ctx.units.iter().find(|u| u.id == contact.unit_id);
        writer.write_record([
            unit.map_or("", |u| u.code.as_str()),
            unit.map_or("", |u| u.name_zh.as_str()),
            // A contact is what a citizen typed: keep a spreadsheet from running it.
            &crate::export::table::neutralise(contact.contact.clone()),
        ])?;
    }
    writer.flush()?;
    Ok(opened.len())
}
