//! The rated units (责任单位) of a deployment: listed, added and renamed by an admin. The
//! demo ships the Wutaishan plan's twelve; a real deployment edits them here.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

use super::views::{html_response, page};
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, NewUnit, Unit};
use crate::db::{accounts, DbError};
use crate::error::AppError;
use crate::startup::AppState;

fn render(
    user: &CurrentUser,
    units: &[Unit],
    errors: &[String],
    typed: &[(String, String)],
) -> Markup {
    let value = |name: &str| {
        typed
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    page(
        "参评单位",
        Some(user),
        html! {
            table {
                tr { th { "代码" } th { "名称" } th { "English" } th { "类型" } }
                @for u in units {
                    tr { td { code { (u.code) } } td { (u.name_zh) } td { (u.name_en) } td { (if u.kind == "township" { "乡镇" } else { "部门" }) } }
                }
            }
            h2 { "新增或修改（代码相同则修改名称）" }
            @if !errors.is_empty() {
                div class="sum" role="alert" { ul { @for e in errors { li { (e) } } } }
            }
            form method="post" action="/console/units" {
                input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
                @for (name, label) in [("code", "代码（小写字母、数字、-，出现在问卷链接中）"), ("name_zh", "中文名称"), ("name_en", "英文名称")] {
                    label class="f" for=(name) { (label) }
                    input type="text" id=(name) name=(name) value=(value(name));
                }
                label class="f" for="kind" { "类型" }
                select id="kind" name="kind" {
                    option value="department" { "部门" }
                    option value="township" selected[value("kind") == "township"] { "乡镇" }
                }
                button type="submit" { "保存" }
            }
        },
    )
}

async fn all(state: &AppState) -> Result<Vec<Unit>, AppError> {
    let pool = state.pool.clone();
    Ok(web::block(move || campaigns::all_units(&mut *pool.get()?)).await??)
}

pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let units = all(&state).await?;
    Ok(html_response(200, render(&user, &units, &[], &[])))
}

/// Checks a unit's fields, naming each problem.
fn check(fields: &[(String, String)]) -> Result<(String, String, String, String), Vec<String>> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (code, zh, en, kind) = (get("code"), get("name_zh"), get("name_en"), get("kind"));
    let mut errors = Vec::new();
    let code_ok = !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !code_ok {
        errors.push("代码：只能用小写字母、数字和 -，最长 32 个字符".to_string());
    }
    if zh.is_empty() {
        errors.push("中文名称：不能为空".into());
    }
    if en.is_empty() {
        errors.push("英文名称：不能为空".into());
    }
    if !matches!(kind.as_str(), "department" | "township") {
        errors.push("类型：请选择部门或乡镇".into());
    }
    if errors.is_empty() {
        Ok((code, zh, en, kind))
    } else {
        Err(errors)
    }
}

pub async fn save(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (code, zh, en, kind) = match check(&form) {
        Ok(unit) => unit,
        Err(errors) => {
            let units = all(&state).await?;
            return Ok(html_response(422, render(&user, &units, &errors, &form)));
        }
    };
    let (pool, actor) = (state.pool.clone(), user.username.clone());
    web::block(move || -> Result<(), DbError> {
        let mut conn = pool.get()?;
        let unit = NewUnit {
            code: &code,
            name_zh: &zh,
            name_en: &en,
            kind: &kind,
        };
        campaigns::upsert_units(&mut conn, &[unit])?;
        accounts::audit(&mut conn, &actor, "unit.save", &format!("{code} {zh}"))
    })
    .await??;
    // The forms show the new name at once.
    state.forget_campaign_parts();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/console/units"))
        .finish())
}
