//! Creating a wave: label, period, questionnaire version (an existing one, or a new TOML file
//! checked on the spot), units and sites. A new wave starts as a draft; opening it is a
//! separate, audited step.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use minyi_questionnaire::Questionnaire;

use super::views::{html_response, page};
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, NewCampaign, Unit};
use crate::db::{accounts, DbError};
use crate::error::AppError;
use crate::startup::AppState;

/// What the admin typed, kept when the form is shown again.
#[derive(Debug, Default)]
pub struct Draft {
    pub slug: String,
    pub label_zh: String,
    pub label_en: String,
    pub wave: String,
    pub starts_on: String,
    pub ends_on: String,
    pub questionnaire: String,
    pub questionnaire_toml: String,
    pub units: Vec<String>,
    pub sites: String,
}

impl Draft {
    fn from_fields(fields: &[(String, String)]) -> Draft {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        Draft {
            slug: get("slug"),
            label_zh: get("label_zh"),
            label_en: get("label_en"),
            wave: get("wave"),
            starts_on: get("starts_on"),
            ends_on: get("ends_on"),
            questionnaire: get("questionnaire"),
            questionnaire_toml: get("questionnaire_toml"),
            units: fields
                .iter()
                .filter(|(k, _)| k == "units")
                .map(|(_, v)| v.clone())
                .collect(),
            sites: get("sites"),
        }
    }
}

/// A checked draft, ready to store.
struct Checked {
    questionnaire: Option<(Questionnaire, String)>,
    questionnaire_id: Option<i32>,
    sites: Vec<(String, String, String)>,
}

fn check(draft: &Draft, units: &[Unit]) -> Result<Checked, Vec<String>> {
    let mut errors = Vec::new();
    let slug_ok = !draft.slug.is_empty()
        && draft.slug.len() <= 64
        && draft
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !slug_ok {
        errors.push("链接名（slug）：只能用小写字母、数字和 -，最长 64 个字符".to_string());
    }
    for (value, name) in [
        (&draft.label_zh, "中文名称"),
        (&draft.label_en, "英文名称"),
        (&draft.wave, "波次"),
    ] {
        if value.is_empty() {
            errors.push(format!("{name}：不能为空"));
        }
    }
    let date = |v: &str, name: &str, errors: &mut Vec<String>| match NaiveDate::parse_from_str(
        v, "%Y-%m-%d",
    ) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!("{name}：请用 YYYY-MM-DD 格式，例如 2025-10-01"));
            None
        }
    };
    let starts = date(&draft.starts_on, "开始日期", &mut errors);
    let ends = date(&draft.ends_on, "结束日期", &mut errors);
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.push("结束日期：不能早于开始日期".into());
        }
    }
    if draft.units.is_empty() {
        errors.push("参评单位：请至少选择一个".into());
    }
    for code in &draft.units {
        if !units.iter().any(|u| &u.code == code) {
            errors.push(format!("参评单位：没有代码为 {code} 的单位"));
        }
    }
    let mut sites = Vec::new();
    for (n, line) in draft
        .sites
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [code, zh, en]
                if !code.is_empty()
                    && code
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                sites.push((code.to_string(), zh.to_string(), en.to_string()))
            }
            _ => errors.push(format!(
                "投放点第 {} 行：请写成“代码,中文名称,English name”",
                n + 1
            )),
        }
    }
    let (mut questionnaire, mut questionnaire_id) = (None, None);
    if !draft.questionnaire_toml.is_empty() {
        match Questionnaire::parse(&draft.questionnaire_toml) {
            Ok(q) => questionnaire = Some((q, draft.questionnaire_toml.clone())),
            Err(e) => errors.push(format!("问卷文件：{e}")),
        }
    } else {
        match draft.questionnaire.parse::<i32>() {
            Ok(id) => questionnaire_id = Some(id),
            Err(_) => errors.push("问卷：请选择一个已有版本，或粘贴新的问卷文件".into()),
        }
    }
    if errors.is_empty() {
        Ok(Checked {
            questionnaire,
            questionnaire_id,
            sites,
        })
    } else {
        Err(errors)
    }
}

type FormData = (Vec<Unit>, Vec<(i32, String, String)>);

async fn form_data(state: &AppState) -> Result<FormData, AppError> {
    let pool = state.pool.clone();
    Ok(web::block(move || -> Result<_, DbError> {
        let mut conn = pool.get()?;
        Ok((
            campaigns::all_units(&mut conn)?,
            campaigns::questionnaire_versions(&mut conn)?,
        ))
    })
    .await??)
}

fn render(user: &CurrentUser, data: &FormData, draft: &Draft, errors: &[String]) -> Markup {
    let (units, versions) = data;
    page(
        "新建测评活动",
        Some(user),
        html! {
            @if !errors.is_empty() {
                div class="sum" role="alert" { h2 { "请修改以下问题" } ul { @for e in errors { li { (e) } } } }
            }
            form method="post" action="/console/campaigns" {
                input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
                @for (name, label, value) in [
                    ("slug", "链接名（slug，出现在问卷链接中，如 2025-final）", &draft.slug),
                    ("label_zh", "中文名称", &draft.label_zh),
                    ("label_en", "英文名称", &draft.label_en),
                    ("wave", "波次（如 2024-baseline、2025-final）", &draft.wave),
                    ("starts_on", "开始日期（YYYY-MM-DD）", &draft.starts_on),
                    ("ends_on", "结束日期（YYYY-MM-DD）", &draft.ends_on),
                ] {
                    label class="f" for=(name) { (label) }
                    input type="text" id=(name) name=(name) value=(value);
                }
                label class="f" for="questionnaire" { "问卷版本" }
                select id="questionnaire" name="questionnaire" {
                    @for (id, name, hash) in versions {
                        option value=(id) selected[draft.questionnaire == id.to_string()] { (name) "（" (&hash[..12]) "…）" }
                    }
                }
                label class="f" for="questionnaire_toml" { "或粘贴新的问卷文件（TOML；填写后以此为准）" }
                textarea id="questionnaire_toml" name="questionnaire_toml" { (draft.questionnaire_toml) }
                fieldset {
                    legend { "参评单位" }
                    @for unit in units {
                        label class="c" {
                            input type="checkbox" name="units" value=(unit.code) checked[draft.units.contains(&unit.code)];
                            (unit.name_zh)
                        }
                    }
                }
                label class="f" for="sites" { "投放点（每行一个：代码,中文名称,English name）" }
                textarea id="sites" name="sites" { (draft.sites) }
                button type="submit" { "创建（草稿）" }
            }
        },
    )
}

pub async fn show(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let data = form_data(&state).await?;
    let draft = Draft {
        sites: "hall,政务服务大厅,Government service hall\nscenic,景区游客中心,Scenic area visitor centre\ncase,案件回访,Case follow-up".to_string(),
        units: data.0.iter().map(|u| u.code.clone()).collect(),
        ..Draft::default()
    };
    Ok(html_response(200, render(&user, &data, &draft, &[])))
}

/// Checks and stores a new wave from submitted fields: `Ok(Ok(slug))` when created,
/// `Ok(Err(problems))` naming each bad field. Shared by the console form and the JSON API.
pub async fn create_from_fields(
    state: &AppState,
    user: &CurrentUser,
    fields: &[(String, String)],
) -> Result<Result<String, Vec<String>>, AppError> {
    let data = form_data(state).await?;
    let draft = Draft::from_fields(fields);
    let checked = match check(&draft, &data.0) {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    let pool = state.pool.clone();
    let (slug, actor) = (draft.slug.clone(), user.username.clone());
    let result = web::block(move || -> Result<(), DbError> {
        let mut conn = pool.get()?;
        if campaigns::campaign_exists(&mut conn, &draft.slug)? {
            return Err(DbError::Invalid(format!("链接名 {} 已被使用", draft.slug)));
        }
        let version = match (&checked.questionnaire, checked.questionnaire_id) {
            (Some((q, source)), _) => campaigns::store_questionnaire(&mut conn, q, source)?,
            (None, Some(id)) => id,
            (None, None) => unreachable!("check requires one"),
        };
        let sites = checked
            .sites
            .iter()
            .map(|(c, z, e)| (c.as_str(), z.as_str(), e.as_str()))
            .collect();
        campaigns::create_campaign(
            &mut conn,
            &NewCampaign {
                slug: &draft.slug,
                label_zh: &draft.label_zh,
                label_en: &draft.label_en,
                wave: &draft.wave,
                questionnaire_version_id: version,
                starts_on: &draft.starts_on,
                ends_on: &draft.ends_on,
                status: "draft",
                unit_codes: draft.units.iter().map(String::as_str).collect(),
                sites,
            },
        )?;
        accounts::audit(&mut conn, &actor, "campaign.create", &draft.slug)
    })
    .await?;
    match result {
        Ok(()) => Ok(Ok(slug)),
        Err(DbError::Invalid(message)) => Ok(Err(vec![message])),
        Err(other) => Err(other.into()),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    match create_from_fields(&state, &user, &form).await? {
        Ok(slug) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/console/campaigns/{slug}")))
            .finish()),
        Err(errors) => {
            let data = form_data(&state).await?;
            let draft = Draft::from_fields(&form);
            Ok(html_response(422, render(&user, &data, &draft, &errors)))
        }
    }
}
