//! The sampling plan of a wave: the population of each rated unit, the precision asked for,
//! Cochran's sample size with the finite-population correction, its allocation over the units,
//! and — as responses come in — the margin of error each unit's achieved sample gives.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use minyi_design::{Allocation, SampleSizeSpec, Stratum};

use super::plan_view::render;
use super::views::html_response;
use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, CampaignContext};
use crate::db::plans::{self, SamplingPlan, StratumRow};
use crate::db::{responses, DbError};
use crate::error::AppError;
use crate::startup::AppState;

/// The wave, its plan, responses per unit × respondent type, and the questionnaire's
/// respondent types (code, Chinese label).
pub(super) type Loaded = (
    CampaignContext,
    Option<(SamplingPlan, Vec<StratumRow>)>,
    Vec<responses::CellCount>,
    Vec<(String, String)>,
);

async fn load(state: &AppState, slug: String) -> Result<Loaded, AppError> {
    let pool = state.pool.clone();
    let found = web::block(move || -> Result<_, DbError> {
        let mut conn = pool.get()?;
        let Some(ctx) = campaigns::load_context(&mut conn, &slug)? else {
            return Ok(None);
        };
        let plan = plans::load(&mut conn, ctx.campaign.id)?;
        let counts = responses::counts_by_unit_type(&mut conn, ctx.campaign.id)?;
        Ok(Some((ctx, plan, counts)))
    })
    .await??;
    let (ctx, plan, counts) =
        found.ok_or(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))?;
    let types = respondent_types(state, &ctx)?;
    Ok((ctx, plan, counts, types))
}

/// Responses in a stratum: the whole unit, or one respondent type of it.
pub(super) fn achieved(counts: &[responses::CellCount], row: &StratumRow) -> i64 {
    counts
        .iter()
        .filter(|((unit, kind), _)| {
            *unit == row.unit_id && (row.respondent_type.is_empty() || *kind == row.respondent_type)
        })
        .map(|(_, n)| n)
        .sum()
}

fn allocation(name: &str) -> Option<Allocation> {
    match name {
        "proportional" => Some(Allocation::Proportional),
        "equal" => Some(Allocation::Equal),
        "neyman" => Some(Allocation::Neyman),
        _ => None,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    Ok(html_response(200, render(&user, &loaded, &[], &[])))
}

/// The respondent types of the wave's questionnaire: (code, Chinese label).
fn respondent_types(
    state: &AppState,
    ctx: &CampaignContext,
) -> Result<Vec<(String, String)>, AppError> {
    let q = state.questionnaire(&ctx.questionnaire)?;
    Ok(q.item_with_role(minyi_questionnaire::Role::RespondentType)
        .map(|item| {
            item.options()
                .iter()
                .map(|o| (o.code.clone(), o.label.zh.clone()))
                .collect()
        })
        .unwrap_or_default())
}

/// Reads the form into a plan, naming every problem. Units are the strata; with
/// `by_respondent_type`, each unit's sample is then shared over its respondent types in
/// proportion to their populations (`pop_{unit}_{type}`), each cell its own quota.
fn parse(
    ctx: &CampaignContext,
    types: &[(String, String)],
    fields: &[(String, String)],
) -> Result<(SamplingPlan, Vec<StratumRow>), Vec<String>> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let mut errors = Vec::new();
    let confidence: f64 = get("confidence").parse().unwrap_or(f64::NAN);
    let margin: f64 = get("margin").parse().unwrap_or(f64::NAN);
    let min_per_unit: u64 = get("min_per_unit").parse().unwrap_or_else(|_| {
        errors.push("每单位最少样本：请填写非负整数".to_string());
        0
    });
    let method = allocation(get("allocation")).unwrap_or_else(|| {
        errors.push("分配方式：请选择按比例、等额或 Neyman".to_string());
        Allocation::Proportional
    });
    let policy = get("quota_policy");
    if !matches!(policy, "accept_and_mark" | "close_stratum") {
        errors.push("超出配额时：请选择一项".to_string());
    }
    let spec = match SampleSizeSpec::proportion(confidence, margin, None) {
        Ok(spec) => Some(spec),
        Err(e) => {
            errors.push(format!("置信水平/允许误差：{e}"));
            None
        }
    };
    let by_type = get("by_respondent_type") == "1";
    let mut cells: Vec<Vec<(String, u64)>> = Vec::new();
    let mut strata = Vec::new();
    for unit in &ctx.units {
        let mut own = Vec::new();
        if by_type {
            for (code, label) in types {
                match get(&format!("pop_{}_{code}", unit.code)).parse::<u64>() {
                    Ok(n) => own.push((code.clone(), n)),
                    Err(_) => {
                        errors.push(format!("{}·{label}：总体规模请填写非负整数", unit.name_zh))
                    }
                }
            }
        }
        let typed_total: u64 = own.iter().map(|(_, n)| n).sum();
        cells.push(own);
        let population = if by_type {
            typed_total.to_string()
        } else {
            get(&format!("pop_{}", unit.code)).to_string()
        };
        let population = population.as_str();
        let sd = get(&format!("sd_{}", unit.code));
        let Ok(population) = population.parse::<u64>() else {
            errors.push(format!("{}：总体规模请填写正整数", unit.name_zh));
            continue;
        };
        let stratum = match sd {
            "" => Stratum::new(population),
            sd => match sd.parse::<f64>() {
                Ok(sd) => Stratum::with_sd(population, sd),
                Err(_) => {
                    errors.push(format!("{}：标准差请填写数字", unit.name_zh));
                    continue;
                }
            },
        };
        strata.push((unit.id, population, sd.parse::<f64>().ok(), stratum));
    }
    let (Some(spec), true) = (spec, errors.is_empty()) else {
        return Err(errors);
    };
    let design: Vec<Stratum> = strata.iter().map(|(_, _, _, s)| *s).collect();
    let planned = minyi_design::plan(&spec, &design, method, min_per_unit)
        .map_err(|e| vec![format!("无法计算方案：{e}")])?;
    let as_i32 = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    let mut rows = Vec::new();
    for (((unit_id, population, sd, _), target), own) in
        strata.iter().zip(planned.per_stratum()).zip(&cells)
    {
        if !by_type {
            let target = as_i32(*target);
            rows.push(StratumRow {
                unit_id: *unit_id,
                respondent_type: String::new(),
                population: *population as i64,
                sd: *sd,
                target,
                quota: target,
            });
            continue;
        }
        let nonzero: Vec<&(String, u64)> = own.iter().filter(|(_, n)| *n > 0).collect();
        let design: Vec<Stratum> = nonzero.iter().map(|(_, n)| Stratum::new(*n)).collect();
        let shares = minyi_design::allocate(*target, &design, Allocation::Proportional, 0)
            .map_err(|e| vec![format!("无法按身份分配：{e}")])?;
        for ((code, n), share) in nonzero.into_iter().zip(shares) {
            let share = as_i32(share);
            rows.push(StratumRow {
                unit_id: *unit_id,
                respondent_type: code.clone(),
                population: *n as i64,
                sd: None,
                target: share,
                quota: share,
            });
        }
    }
    let plan = SamplingPlan {
        campaign_id: ctx.campaign.id,
        confidence,
        margin,
        allocation: get("allocation").to_string(),
        min_per_unit: i32::try_from(min_per_unit).unwrap_or(i32::MAX),
        quota_policy: policy.to_string(),
        by_respondent_type: by_type,
    };
    Ok((plan, rows))
}

/// Computes and stores a plan from submitted fields: `Ok(Err(problems))` names each bad
/// field. Shared by the console form and the JSON API.
pub async fn save_from_fields(
    state: &AppState,
    user: &CurrentUser,
    slug: String,
    fields: &[(String, String)],
) -> Result<Result<(), Vec<String>>, AppError> {
    let loaded = load(state, slug).await?;
    let types = respondent_types(state, &loaded.0)?;
    let (plan, rows) = match parse(&loaded.0, &types, fields) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(Err(errors)),
    };
    let (pool, actor) = (state.pool.clone(), user.username.clone());
    web::block(move || plans::save(&mut *pool.get()?, &plan, &rows, &actor)).await??;
    Ok(Ok(()))
}

pub async fn save(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    match save_from_fields(&state, &user, slug.clone(), &form).await? {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/console/campaigns/{slug}/plan")))
            .finish()),
        Err(errors) => {
            let loaded = load(&state, slug).await?;
            Ok(html_response(422, render(&user, &loaded, &errors, &form)))
        }
    }
}

/// The plan as JSON: each unit's population, target, quota, responses and achieved margin.
pub async fn json(
    state: web::Data<AppState>,
    _user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ctx, plan, counts, _) = load(&state, slug.into_inner()).await?;
    let Some((plan, rows)) = plan else {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "plan": null })));
    };
    let spec = SampleSizeSpec::proportion(plan.confidence, plan.margin, None).ok();
    let strata: Vec<_> = rows
        .iter()
        .map(|row| {
            let n = achieved(&counts, row);
            let unit = ctx
                .units
                .iter()
                .find(|u| u.id == row.unit_id)
                .map(|u| u.code.clone());
            let moe = spec.as_ref().and_then(|s| {
                s.achieved_margin(n as u64, Some(row.population as u64))
                    .ok()
            });
            serde_json::json!({
                "unit": unit, "respondent_type": (!row.respondent_type.is_empty()).then_some(&row.respondent_type),
                "population": row.population, "sd": row.sd, "target": row.target,
                "quota": row.quota, "responses": n, "achieved_margin": moe,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "plan": {
            "confidence": plan.confidence, "margin": plan.margin, "allocation": plan.allocation,
            "min_per_unit": plan.min_per_unit, "quota_policy": plan.quota_policy,
            "by_respondent_type": plan.by_respondent_type,
        },
        "strata": strata,
    })))
}
