//! One wave of a batch, start to finish: screen it, weight it, and compute its part of every
//! table. The groups' estimates run in parallel; a wave's data are dropped when it is done.

use minyi_questionnaire::Questionnaire;
use rayon::prelude::*;

use crate::config::Batch;
use crate::input::WaveData;
use crate::stats::Estimate;
use crate::text::{keyword_rows, Keywords};
use crate::tree::{NodeWeights, Tree};

use super::estimates::{group_estimates, groups, EstimateRow, Group, ItemSpec, Prepared};
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
    /// The headline estimates (`Prepared::headline_only`) of the design over the wave's rows
    /// `map` (`None`: every row), from the wave's checked items.
    fn headline(
        &self,
        data: &WaveData,
        prepared: &Prepared,
        map: Option<&[usize]>,
    ) -> Result<Vec<EstimateRow>, RunError> {
        let design = weights::designs_over(data, &self.batch.weighting, map)?.calibrated;
        let prepared = prepared
            .over_rows(map)
            .headline_only(&self.batch.overall_item);
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

    /// The wave's screens: its rows of `quality.csv` and `daily.csv`, and which rows no screen
    /// flagged.
    fn screen(&self, data: &WaveData) -> Result<Screening, RunError> {
        let quality = &self.batch.quality;
        let s = screens::screen(data, self.questionnaire, quality)?;
        Ok(Screening {
            quality: screens::quality_rows(data, &s, quality.exclude_flagged),
            daily: charts::daily(data, &s),
            unflagged: (0..data.rows()).map(|i| !s.any(i)).collect(),
        })
    }

    /// Every group's estimates (in parallel), with the design and groups they came from.
    fn estimate(&self, data: &WaveData, prepared: &Prepared) -> Result<Estimated, RunError> {
        let designs = weights::designs(data, &self.batch.weighting)?;
        let design = &designs.calibrated;
        let breakdowns = groups(data, &self.batch.groups);
        let progress = bar(
            self.show_progress,
            breakdowns.len(),
            &format!("estimates, wave {}", data.label),
        );
        let estimate = |group| {
            let rows = group_estimates(
                &data.label,
                design,
                prepared,
                self.tree,
                self.node_weights,
                group,
            );
            progress.inc(1);
            rows
        };
        let rows: Vec<EstimateRow> = breakdowns
            .par_iter()
            .map(estimate)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        progress.finish();
        let raw_index = if designs.raw == designs.calibrated {
            None
        } else {
            let headline = prepared
                .over_rows(None)
                .headline_only(&self.batch.overall_item);
            group_estimates(
                &data.label,
                &designs.raw,
                &headline,
                self.tree,
                self.node_weights,
                &breakdowns[0],
            )?
            .into_iter()
            .find(|r| r.level == "index" && r.measure == "index")
            .map(|r| r.to_estimate())
        };
        Ok(Estimated {
            designs,
            breakdowns,
            rows,
            raw_index,
        })
    }

    /// Adds the wave's rows to every per-wave table and returns its estimates with, for a
    /// calibrated design, the uncalibrated headline index.
    ///
    /// The headline with and without the flagged responses: the subset the estimates do not
    /// use is a design over some of the wave's rows, not a copy of them.
    pub(super) fn analyse(
        &self,
        all: WaveData,
        keywords: &std::sync::OnceLock<Keywords>,
        tables: &mut Tables,
    ) -> Result<(Vec<EstimateRow>, Option<Estimate>), RunError> {
        let batch = self.batch;
        let excluded = batch.quality.exclude_flagged;
        let (data, screening, estimated, other_headline) = if excluded {
            // The flagged rows leave the estimates: screen first, take the whole wave's
            // headline, then drop the flagged rows.
            let screening = self.screen(&all)?;
            let headline = self.headline(&all, &prepare(&all, self.items)?, None)?;
            let data = all.retain(&screening.unflagged);
            let estimated = self.estimate(&data, &prepare(&data, self.items)?)?;
            (data, screening, estimated, headline)
        } else {
            // The estimates do not wait for the screens; the unflagged headline follows them.
            let prepared = prepare(&all, self.items)?;
            let (screened, estimated) = rayon::join(
                || -> Result<_, RunError> {
                    let screening = self.screen(&all)?;
                    let kept: Vec<usize> = (0..all.rows())
                        .filter(|&i| screening.unflagged[i])
                        .collect();
                    let headline = self.headline(&all, &prepared, Some(&kept))?;
                    Ok((screening, headline))
                },
                || self.estimate(&all, &prepared),
            );
            drop(prepared);
            let (screening, headline) = screened?;
            (all, screening, estimated?, headline)
        };
        tables.quality.extend(screening.quality);
        tables.daily.extend(screening.daily);
        let designs = &estimated.designs;
        for &h in &designs.calibrated.lonely_strata() {
            tables.notes.push(format!("wave {}: stratum {:?} has a single response (handled as R's lonely.psu = \"adjust\")", data.label, designs.strata[h]));
        }
        if designs.trimmed > 0 {
            tables.notes.push(format!(
                "wave {}: trimming capped {} weights",
                data.label, designs.trimmed
            ));
        }
        let rows = &estimated.rows;
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
        // The remaining tables, side by side.
        let design = &designs.calibrated;
        let breakdowns = &estimated.breakdowns;
        let ((reliability, importance), (sample, (keyword, distribution))) = rayon::join(
            || {
                (
                    tables::reliability(&data, self.tree, self.items),
                    tables::importance(&data, design, self.items, rows, &batch.overall_item),
                )
            },
            || {
                rayon::join(
                    || tables::sample(&data, design, rows, breakdowns),
                    || {
                        rayon::join(
                            || keyword_rows(&data, self.questionnaire, keywords),
                            || {
                                charts::distribution(
                                    &data, design, self.items, self.tree, breakdowns,
                                )
                            },
                        )
                    },
                )
            },
        );
        tables.reliability.extend(reliability);
        tables.importance.extend(importance?);
        tables.ranking.extend(tables::ranking(&data.label, rows));
        tables.sample.extend(sample);
        tables.keywords.extend(keyword);
        tables.distribution.extend(distribution);
        Ok((estimated.rows, estimated.raw_index))
    }
}

/// What screening a wave gives.
struct Screening {
    quality: Vec<screens::QualityRow>,
    daily: Vec<charts::DailyRow>,
    unflagged: Vec<bool>,
}

/// A wave's estimates, with the design and groups they came from.
struct Estimated {
    designs: weights::Designs,
    breakdowns: Vec<Group>,
    rows: Vec<EstimateRow>,
    raw_index: Option<Estimate>,
}

fn prepare<'a>(data: &'a WaveData, items: &'a [ItemSpec]) -> Result<Prepared<'a>, RunError> {
    Prepared::new(data, items).map_err(|source| RunError::Stats {
        wave: data.label.clone(),
        step: "coding the items".into(),
        source,
    })
}
