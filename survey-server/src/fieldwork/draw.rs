//! The draw as the server runs it: the frame opened in memory, grouped into strata (unit ×
//! the chosen frame variables), each stratum's target taken from the campaign's sampling plan
//! (a unit's target shared among its strata in proportion to their frame counts), the sample
//! drawn by `minyi_fieldwork::draw` from a seed, and stored whole with every case sealed.

use std::collections::BTreeMap;

use minyi_fieldwork::draw::{self as fw, Method};
use serde::{Deserialize, Serialize};

use super::frame::{open_rows, SealedRow};
use super::seal::{random_bytes, FieldworkKeys, Purpose};
use crate::db::campaigns::CampaignContext;
use crate::db::fieldwork::{draws, frames};
use crate::db::{case_codes, plans, DbConn, DbError};

/// What the evaluator chose for the draw.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawRequest {
    pub method: Method,
    /// The frame variables that stratify within each unit (none: by unit only).
    pub strata_by: Vec<String>,
    /// For systematic sampling: the frame variable the frame is sorted by within a stratum.
    pub sort_by: Option<String>,
    pub expected_rate: f64,
    pub reserve: f64,
    /// The seed; a fresh random one when none is given.
    pub seed: Option<u64>,
    /// Completes wanted per unit when the campaign has no sampling plan.
    pub target_per_unit: Option<i32>,
}

/// A sampled case's frame id and variables, as sealed in `sample_cases.sealed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFrame {
    pub id: String,
    pub vars: Vec<String>,
}

/// A sampled case's phone number and name, as sealed in `case_contacts.sealed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseContact {
    pub phone: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub draw_id: i32,
    pub seed: u64,
    pub strata: usize,
    pub selected: usize,
    pub released: usize,
}

/// The name of a stratum: the unit's code, then each stratifying value, joined by `|`.
pub fn stratum_name(unit: &str, values: &[&str]) -> String {
    std::iter::once(unit)
        .chain(values.iter().copied())
        .collect::<Vec<_>>()
        .join("|")
}

/// Draws the campaign's sample from its latest frame and stores it.
pub fn draw(
    conn: &mut DbConn,
    keys: &FieldworkKeys,
    ctx: &CampaignContext,
    request: &DrawRequest,
    actor: &str,
) -> Result<Drawn, DbError> {
    let campaign_id = ctx.campaign.id;
    let frame = frames::latest(conn, campaign_id)?
        .ok_or_else(|| DbError::Invalid("import a frame before drawing the sample".into()))?;
    let variables = frame.variable_names();
    let index_of = |name: &str| {
        variables
            .iter()
            .position(|v| v == name)
            .ok_or_else(|| DbError::Invalid(format!("the frame has no variable {name:?}")))
    };
    let by: Vec<usize> = request
        .strata_by
        .iter()
        .map(|v| index_of(v))
        .collect::<Result<_, _>>()?;
    let sort = request.sort_by.as_deref().map(index_of).transpose()?;
    let rows = open_rows(conn, keys, campaign_id, frame.id)?;

    // Strata: unit × the chosen variables, each a list of row indices in id order (or sorted).
    let mut grouped: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let values: Vec<&str> = by.iter().map(|&v| row.vars[v].as_str()).collect();
        grouped
            .entry(stratum_name(&row.unit, &values))
            .or_insert_with(|| (row.unit.clone(), Vec::new()))
            .1
            .push(i);
    }
    if let (Some(v), Method::Systematic) = (sort, request.method) {
        for (_, members) in grouped.values_mut() {
            members.sort_by(|&a, &b| {
                (rows[a].vars[v].as_str(), rows[a].id.as_str())
                    .cmp(&(rows[b].vars[v].as_str(), rows[b].id.as_str()))
            });
        }
    }
    let targets = unit_targets(conn, ctx, request.target_per_unit)?;
    let strata = allocate(&grouped, &targets)?;
    let seed = request
        .seed
        .unwrap_or_else(|| u64::from_be_bytes(random_bytes()[..8].try_into().expect("8 bytes")));
    let spec = fw::DrawSpec {
        expected_rate: request.expected_rate,
        reserve: request.reserve,
        seed,
        method: request.method,
    };
    let drawn = fw::draw(&strata, &spec).map_err(|e| DbError::Invalid(e.to_string()))?;

    let unit_id = |code: &str| {
        ctx.units
            .iter()
            .find(|u| u.code == code)
            .map(|u| u.id)
            .ok_or_else(|| DbError::Invalid(format!("unit {code:?} is not in the campaign")))
    };
    let mut new_strata = Vec::with_capacity(drawn.len());
    let mut cases = Vec::new();
    for (d, s) in drawn.iter().zip(&strata) {
        let unit = &grouped[&d.stratum].0;
        let unit_id = unit_id(unit)?;
        new_strata.push(draws::DrawStratum {
            stratum: d.stratum.clone(),
            unit_id,
            n_frame: i32::try_from(d.n_frame).unwrap_or(i32::MAX),
            target: i32::try_from(s.target).unwrap_or(i32::MAX),
            n_selected: i32::try_from(d.order.len()).unwrap_or(i32::MAX),
            released: i32::try_from(d.released).unwrap_or(i32::MAX),
            replicates: 1,
        });
        for (seq, &row) in d.order.iter().enumerate() {
            cases.push(sealed_case(
                keys,
                campaign_id,
                &d.stratum,
                unit_id,
                seq,
                &rows[row],
            ));
        }
    }
    let method = match request.method {
        Method::Srswor => "srswor",
        Method::Systematic => "systematic",
    };
    let new = draws::NewDraw {
        campaign_id,
        frame_id: frame.id,
        method,
        strata_by: &request.strata_by,
        expected_rate: request.expected_rate,
        reserve: request.reserve,
        seed_sealed: keys.seal(Purpose::Seed, campaign_id, b"", &seed),
        strata: new_strata,
        cases,
    };
    let draw_id = draws::insert(conn, &new, actor)?;
    Ok(Drawn {
        draw_id,
        seed,
        strata: drawn.len(),
        selected: drawn.iter().map(|d| d.order.len()).sum(),
        released: drawn.iter().map(|d| d.released).sum(),
    })
}

fn sealed_case(
    keys: &FieldworkKeys,
    campaign_id: i32,
    stratum: &str,
    unit_id: i32,
    seq: usize,
    row: &SealedRow,
) -> draws::NewCase {
    let case_ref = hex::encode(random_bytes());
    let frame = CaseFrame {
        id: row.id.clone(),
        vars: row.vars.clone(),
    };
    let contact = CaseContact {
        phone: row.phone.clone(),
        name: row.name.clone(),
    };
    draws::NewCase {
        sealed_frame: keys.seal(Purpose::CaseFrame, campaign_id, case_ref.as_bytes(), &frame),
        sealed_contact: keys.seal(
            Purpose::CaseContact,
            campaign_id,
            case_ref.as_bytes(),
            &contact,
        ),
        code_hash: case_codes::hash(&keys.sms_code(campaign_id, &case_ref)),
        stratum: stratum.to_string(),
        unit_id,
        seq: i32::try_from(seq).unwrap_or(i32::MAX),
        case_ref,
    }
}

/// Completes wanted per unit code: the sampling plan's targets (summed over respondent
/// types), else the request's figure for every unit.
fn unit_targets(
    conn: &mut DbConn,
    ctx: &CampaignContext,
    fallback: Option<i32>,
) -> Result<BTreeMap<String, usize>, DbError> {
    let mut targets = BTreeMap::new();
    if let Some(per_unit) = fallback {
        if per_unit < 1 {
            return Err(DbError::Invalid(
                "the completes wanted per unit must be at least 1".into(),
            ));
        }
        for unit in &ctx.units {
            targets.insert(unit.code.clone(), per_unit as usize);
        }
        return Ok(targets);
    }
    let Some((_, rows)) = plans::load(conn, ctx.campaign.id)? else {
        return Err(DbError::Invalid(
            "the campaign has no sampling plan: save one, or give the completes wanted per unit"
                .into(),
        ));
    };
    for row in rows {
        if let Some(unit) = ctx.units.iter().find(|u| u.id == row.unit_id) {
            *targets.entry(unit.code.clone()).or_insert(0) += row.target.max(0) as usize;
        }
    }
    Ok(targets)
}

/// Each stratum's target: its unit's target shared in proportion to the strata's frame counts
/// (largest remainder), at least 1 per stratum so that every frame row can be drawn.
fn allocate(
    grouped: &BTreeMap<String, (String, Vec<usize>)>,
    targets: &BTreeMap<String, usize>,
) -> Result<Vec<fw::Stratum>, DbError> {
    let mut out = Vec::with_capacity(grouped.len());
    let mut by_unit: BTreeMap<&str, Vec<(&String, &Vec<usize>)>> = BTreeMap::new();
    for (name, (unit, rows)) in grouped {
        by_unit.entry(unit).or_default().push((name, rows));
    }
    for (unit, strata) in by_unit {
        let total = *targets.get(unit).ok_or_else(|| {
            DbError::Invalid(format!("the sampling plan has no target for unit {unit:?}"))
        })?;
        let n: usize = strata.iter().map(|(_, r)| r.len()).sum();
        let exact: Vec<f64> = strata
            .iter()
            .map(|(_, r)| total as f64 * r.len() as f64 / n as f64)
            .collect();
        let mut shares: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
        let mut left = total.saturating_sub(shares.iter().sum());
        let mut order: Vec<usize> = (0..shares.len()).collect();
        order.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor())
                .total_cmp(&(exact[a] - exact[a].floor()))
                .then(a.cmp(&b))
        });
        for &i in order.iter().cycle().take(shares.len() * 2) {
            if left == 0 {
                break;
            }
            shares[i] += 1;
            left -= 1;
        }
        for ((name, rows), share) in strata.into_iter().zip(shares) {
            out.push(fw::Stratum {
                name: name.clone(),
                rows: rows.clone(),
                target: share.max(1),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_units_target_is_shared_by_frame_counts_with_at_least_one() {
        let mut grouped = BTreeMap::new();
        grouped.insert("a|x".to_string(), ("a".to_string(), (0..60).collect()));
        grouped.insert("a|y".to_string(), ("a".to_string(), (60..90).collect()));
        grouped.insert("a|z".to_string(), ("a".to_string(), (90..91).collect()));
        let targets = BTreeMap::from([("a".to_string(), 10)]);
        let strata = allocate(&grouped, &targets).unwrap();
        // 10 × 60/91 = 6.59, 10 × 30/91 = 3.30, 10 × 1/91 = 0.11: floors 6 + 3 + 0 = 9, the
        // one left goes to the largest remainder (6.59), and z is raised to 1.
        let got: Vec<(&str, usize)> = strata.iter().map(|s| (s.name.as_str(), s.target)).collect();
        assert_eq!(got, vec![("a|x", 7), ("a|y", 3), ("a|z", 1)]);
    }
}
