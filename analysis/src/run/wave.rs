//! One wave of a batch, start to finish: screen it, weight it, and compute its part of every
//! table. The groups' estimates run in parallel; a wave's data are dropped when it is done.

use minyi_questionnaire::Questionnaire;
use rayon::prelude::*;

use crate::config::Batch;
use crate::input::WaveData;
use crate::stats::Estimate;
use crate::text::{keyword_rows, Keywords};
use crate::tree::{NodeWeights, Tree};

use super::estimates::{group_estimates, groups, EstimateRow, ItemSpec, Prepared};
use super::{bar, charts, screens, tables, weights, RunError, Tables};

/// What every wave is analysed with.
pub(super) struct Context<'a> {
    pub batch: &'a Batch,
    pub questionnaire: &'a Questionnaire,
    pub tree: &'a Tree,
    pub items: &'a [ItemSpec],
    pub node_weights: &'a NodeWeights,
    pub show_progress: bool,
}

/// The wave as the estimates see it: without its flagged responses when the batch excludes
/// them.
pub(super) fn analysed(
    data: WaveData,
    q: &Questionnaire,
    batch: &Batch,
) -> Result<WaveData, RunError> {
    if !batch.quality.exclude_flagged {
        return Ok(data);
    }
    let s = screens::screen(&data, q, &batch.quality)?;
    let unflagged: Vec<bool> = (0..data.rows()).map(|i| !s.any(i)).collect();
    Ok(data.retain(&unflagged))
}

impl Context<'_> {
    /// The whole-sample estimates of the design over the wave's rows `map`.
    fn headline(&self, data: &WaveData, map: &[usize]) -> Result<Vec<EstimateRow>, RunError> {
        let design = weights::designs_over(data, &self.batch.weighting, Some(map))?.calibrated;
        let prepared =
            Prepared::over(data, self.items, Some(map)).map_err(|source| RunError::Stats {
                wave: data.label.clone(),
                step: "coding the items".into(),
                source,
            })?;
        let overall = &groups(data, &[])[0];
        group_estimates(
            &data.label,
            &design,
            &prepared,
            self.tree,
            self.node_weights,
            overall,
        )
    }

    /// Adds the wave's rows to every per-wave table and returns its estimates with, for a
    /// calibrated design, the uncalibrated headline index.
    pub(super) fn analyse(
        &self,
        all: WaveData,
        keywords: &Keywords,
        tables: &mut Tables,
    ) -> Result<(Vec<EstimateRow>, Option<Estimate>), RunError> {
        let batch = self.batch;
        let s = screens::screen(&all, self.questionnaire, &batch.quality)?;
        tables.quality.extend(screens::quality_rows(
            &all,
            &s,
            batch.quality.exclude_flagged,
        ));
        tables.daily.extend(charts::daily(&all, &s));
        let unflagged: Vec<bool> = (0..all.rows()).map(|i| !s.any(i)).collect();
        drop(s);
        // The headline with and without the flagged responses: the subset the estimates do not
        // use is a design over some of the wave's rows, not a copy of them. Leaving the flagged
        // rows out of the estimates, the whole wave's headline comes first (the rows then go);
        // keeping them, the unflagged headline runs beside the groups' estimates.
        let excluded = batch.quality.exclude_flagged;
        let (data, whole_headline, kept) = if excluded {
            let everything: Vec<usize> = (0..all.rows()).collect();
            let headline = self.headline(&all, &everything)?;
            (all.retain(&unflagged), Some(headline), Vec::new())
        } else {
            let kept: Vec<usize> = (0..all.rows()).filter(|&i| unflagged[i]).collect();
            (all, None, kept)
        };
        drop(unflagged);
        let designs = weights::designs(&data, &batch.weighting)?;
        let design = &designs.calibrated;
        for &h in &design.lonely_strata() {
            tables.notes.push(format!("wave {}: stratum {:?} has a single response (handled as R's lonely.psu = \"adjust\")", data.label, designs.strata[h]));
        }
        if designs.trimmed > 0 {
            tables.notes.push(format!(
                "wave {}: trimming capped {} weights",
                data.label, designs.trimmed
            ));
        }
        let prepared = prepare(&data, self.items)?;
        let breakdowns = groups(&data, &batch.groups);
        let progress = bar(
            self.show_progress,
            breakdowns.len(),
            &format!("estimates, wave {}", data.label),
        );
        let estimate = |group| {
            let rows = group_estimates(
                &data.label,
                design,
                &prepared,
                self.tree,
                self.node_weights,
                group,
            );
            progress.inc(1);
            rows
        };
        let (unflagged_headline, rows) = rayon::join(
            || match whole_headline {
                Some(_) => Ok(Vec::new()),
                None => self.headline(&data, &kept),
            },
            || breakdowns.par_iter().map(estimate).collect::<Vec<_>>(),
        );
        let other_headline = whole_headline.map_or(unflagged_headline, Ok)?;
        drop(kept);
        let rows: Vec<EstimateRow> = rows
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        progress.finish();
        let raw_index = if designs.raw == designs.calibrated {
            None
        } else {
            group_estimates(
                &data.label,
                &designs.raw,
                &prepared,
                self.tree,
                self.node_weights,
                &breakdowns[0],
            )?
            .into_iter()
            .find(|r| r.level == "index" && r.measure == "index")
            .map(|r| r.to_estimate())
        };
        drop(prepared);
        let own_headline: Vec<EstimateRow> = rows
            .iter()
            .take_while(|r| r.group_var == "overall")
            .cloned()
            .collect();
        let (all_rows, unflagged_rows) = if excluded {
            (other_headline, own_headline)
        } else {
            (own_headline, other_headline)
        };
        for (sample, headline) in [("all", all_rows), ("unflagged", unflagged_rows)] {
            tables.screening.extend(
                headline
                    .into_iter()
                    .filter(|r| {
                        r.level == "index"
                            || r.indicator == batch.overall_item && r.measure == "index"
                    })
                    .map(|r| EstimateRow {
                        group: sample.into(),
                        group_var: "responses".into(),
                        ..r
                    }),
            );
        }
        tables
            .reliability
            .extend(tables::reliability(&data, self.tree, self.items));
        tables.importance.extend(tables::importance(
            &data,
            design,
            self.items,
            &rows,
            &batch.overall_item,
        )?);
        tables.ranking.extend(tables::ranking(&data.label, &rows));
        tables
            .sample
            .extend(tables::sample(&data, design, &rows, &breakdowns));
        tables
            .keywords
            .extend(keyword_rows(&data, self.questionnaire, keywords));
        tables.distribution.extend(charts::distribution(
            &data,
            design,
            self.items,
            self.tree,
            &breakdowns,
        ));
        Ok((rows, raw_index))
    }
}

fn prepare<'a>(data: &'a WaveData, items: &'a [ItemSpec]) -> Result<Prepared<'a>, RunError> {
    Prepared::new(data, items).map_err(|source| RunError::Stats {
        wave: data.label.clone(),
        step: "coding the items".into(),
        source,
    })
}
