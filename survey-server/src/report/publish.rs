//! `survey-server report publish`: a batch folder's report stored as a campaign's latest.

use std::path::Path;

use anyhow::{bail, Context};

use super::ReportFiles;
use crate::auth::Role;
use crate::db::{accounts, campaigns, reports, DbPool};

/// What was published, for the command's output.
#[derive(Debug)]
pub struct Published {
    pub id: i32,
    pub verdict: &'static str,
    pub sentence_zh: String,
    pub has_pdf: bool,
}

/// Reads and checks the batch folder `dir`, then stores its report as the latest of the
/// campaign `slug`. `by` names the console account publishing it (an evaluator or an admin);
/// without one the publication is recorded as made from the command line. Nothing is
/// stored unless every file passed.
pub fn publish_dir(
    pool: &DbPool,
    slug: &str,
    dir: &Path,
    by: Option<&str>,
) -> anyhow::Result<Published> {
    let mut conn = pool.get()?;
    let campaign =
        campaigns::find(&mut conn, slug)?.with_context(|| format!("no campaign {slug:?}"))?;
    let by = match by {
        Some(name) => {
            let user = accounts::find_user(&mut conn, name)?
                .with_context(|| format!("no console account {name:?}"))?;
            if !matches!(Role::parse(&user.role), Some(role) if role.may(crate::auth::Access::Evaluator))
            {
                bail!(
                    "{name} is a {}: only an evaluator or an admin publishes reports",
                    user.role
                );
            }
            user.username
        }
        None => "cli".to_string(),
    };
    let report = ReportFiles::read_dir(dir)
        .and_then(ReportFiles::check)
        .with_context(|| format!("{} was not published", dir.display()))?;
    let id = reports::publish(&mut conn, campaign.id, slug, &report, &by)?;
    Ok(Published {
        id,
        verdict: report.verdict().as_str(),
        sentence_zh: report.sentences().0.to_string(),
        has_pdf: report.pdf().is_some(),
    })
}
