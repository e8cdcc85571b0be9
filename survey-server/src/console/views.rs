//! The console's pages (simplified Chinese; staff use them on a desktop or a phone).

use maud::{html, Markup};
use minyi_questionnaire::Lang;

use super::may;
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::auth::{Access, Role};
use crate::citizen::pages::layout;
use crate::db::accounts::AuditEntry;
use crate::db::campaigns::{Campaign, CampaignContext};
use crate::db::reports::Publication;

const CONSOLE_CSS: &str = "table{border-collapse:collapse;width:100%;font-size:.95rem}\
th,td{border-bottom:1px solid #d5d9de;padding:.4rem .3rem;text-align:left}\
td.r,th.r{text-align:right}nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin-bottom:1rem}\
nav form{margin-left:auto}nav button,form.inline button{width:auto;display:inline-block;padding:0 1rem;margin:0}\
form.inline{display:inline}label.f{display:block;margin-top:.75rem;font-weight:600}\
textarea{min-height:6rem}input[type=text],input[type=password]{display:block;width:100%;min-height:44px;font:inherit;padding:.4rem;\
border:1px solid #b9bec6;border-radius:6px}main{max-width:60rem}\
.vd{display:inline-block;padding:.2rem .6rem;border:2px solid;border-radius:6px;font-weight:600}\
.vd.met{color:#14532d;background:#f0fdf4}.vd.not_met{color:#7f1d1d;background:#fef2f2}\
.vd.inconclusive{color:#713f12;background:#fefce8}p.sentence{font-size:1.05rem}\
.scroll{overflow-x:auto}.scroll th,.scroll td{white-space:nowrap}\
.errors{border:2px solid #b91c1c;background:#fef2f2;padding:.5rem 1rem;margin:1rem 0}\
p.ok{border-left:4px solid #15803d;background:#f0fdf4;padding:.5rem 1rem}";

/// A console page as a response with the given status.
pub fn html_response(status: u16, body: Markup) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).expect("a valid status"),
    )
    .content_type("text/html; charset=utf-8")
    .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
    .body(body.into_string())
}

pub fn page(title: &str, user: Option<&CurrentUser>, body: Markup) -> Markup {
    layout(
        Lang::Zh,
        title,
        CONSOLE_CSS,
        html! {
            @if let Some(user) = user {
                nav {
                    a href="/console" { "测评活动" }
                    @if may(user, Access::Admin) { a href="/console/units" { "参评单位" } a href="/console/audit" { "审计日志" } }
                    span class="n" { (user.username) "（" (role_name(user.role)) "）" }
                    form method="post" action="/console/logout" {
                        input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
                        button type="submit" { "退出" }
                    }
                }
            }
            h1 { (title) }
            (body)
        },
    )
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "管理员",
        Role::Evaluator => "第三方评估",
        Role::Viewer => "查看",
        Role::Interviewer => "访员",
    }
}

fn status_name(status: &str) -> &str {
    match status {
        "open" => "收集中",
        "closed" => "已结束",
        "draft" => "未开始",
        other => other,
    }
}

pub fn login(next: &str, csrf: &str, error: Option<&str>) -> Markup {
    page(
        "minyi 管理控制台登录",
        None,
        html! {
            @if let Some(e) = error { div class="sum" role="alert" { p class="err" { (e) } } }
            form method="post" action="/console/login" {
                input type="hidden" name="next" value=(next);
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                label class="f" for="username" { "用户名" }
                input type="text" id="username" name="username" autocomplete="username" required;
                label class="f" for="password" { "密码" }
                input type="password" id="password" name="password" autocomplete="current-password" required;
                button type="submit" { "登录" }
            }
        },
    )
}

pub fn home(user: &CurrentUser, rows: &[(i64, Campaign)]) -> Markup {
    page(
        "测评活动",
        Some(user),
        html! {
            @if may(user, Access::Admin) { p { a href="/console/campaigns/new" { "＋ 新建测评活动" } } }
            table {
                tr { th { "活动" } th { "波次" } th { "期间" } th { "状态" } th class="r" { "回收样本" } }
                @for (count, c) in rows {
                    tr {
                        td {
                            @if user.role == Role::Interviewer {
                                a href=(format!("/console/campaigns/{}/calls", c.slug)) { (c.label_zh) "（电话访问）" }
                            } @else {
                                a href=(format!("/console/campaigns/{}", c.slug)) { (c.label_zh) }
                            }
                        }
                        td { (c.wave) }
                        td { (c.starts_on) " 至 " (c.ends_on) }
                        td { (status_name(&c.status)) }
                        td class="r" { (count) }
                    }
                }
            }
        },
    )
}

pub fn campaign(
    user: &CurrentUser,
    ctx: &CampaignContext,
    counts: &[(i32, i64)],
    reports: &[Publication],
) -> Markup {
    let c = &ctx.campaign;
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    page(
        &c.label_zh,
        Some(user),
        html! {
            p {
                a href=(format!("/console/campaigns/{}/progress", c.slug)) { "回收进度（每日图表、链接核验）" }
                " · "
                a href=(format!("/console/campaigns/{}/plan", c.slug)) { "抽样方案与配额" }
                @if may(user, Access::Evaluator) {
                    " · "
                    a href=(format!("/console/campaigns/{}/fieldwork", c.slug)) { "实地调查（抽样框、抽样、应答率）" }
                }
            }
            p { "状态：" (status_name(&c.status)) "；期间：" (c.starts_on) " 至 " (c.ends_on) "；已回收 " (total) " 份。" }
            @if may(user, Access::Admin) {
                @for (action, label) in [("open", "开始收集"), ("close", "结束收集")] {
                    form class="inline" method="post" action=(format!("/console/campaigns/{}/{action}", c.slug)) {
                        input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
                        button type="submit" { (label) }
                    }
                    " "
                }
            }
            (super::report_view::panel(user, &c.slug, reports))
            @if may(user, Access::Evaluator) {
                h2 { "导出数据" }
                ul {
                    li { a href=(format!("/console/campaigns/{}/export/bundle.zip", c.slug)) { "数据包（供分析使用：CSV、编码表、问卷、清单）" } }
                    li { a href=(format!("/console/campaigns/{}/export/responses.xlsx", c.slug)) { "Excel（含选项标签）" } }
                    li { a href=(format!("/console/campaigns/{}/export/responses.csv", c.slug)) { "CSV（编码）" } }
                    li { a href=(format!("/console/campaigns/{}/export/responses.csv?labels=1", c.slug)) { "CSV（选项标签）" } }
                    li { a href=(format!("/console/campaigns/{}/export/responses.parquet", c.slug)) { "Parquet（编码，供程序读取）" } }
                    li { a href=(format!("/console/campaigns/{}/export/codebook.csv", c.slug)) { "编码表" } }
                }
            }
            @if may(user, Access::Admin) {
                h2 { "案件回访码" }
                form method="post" action=(format!("/console/campaigns/{}/case-codes", c.slug)) {
                    input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
                    label class="f" for="cc-unit" { "单位" }
                    select id="cc-unit" name="unit" {
                        @for unit in &ctx.units { option value=(unit.code) { (unit.name_zh) } }
                    }
                    label class="f" for="cc-count" { "数量（1–1000；回访码只显示这一次，请直接打印）" }
                    input type="text" id="cc-count" name="count" value="20" inputmode="numeric";
                    button type="submit" { "生成回访单" }
                }
                h2 { "二维码" }
                ul {
                    li { a href=(format!("/console/campaigns/{}/posters", c.slug)) { "A4 海报（打印）" } }
                    li { a href=(format!("/console/campaigns/{}/qr.zip", c.slug)) { "全部二维码（PNG、SVG）下载" } }
                }
            }
            h2 { "各单位回收情况" }
            table {
                tr { th { "单位" } th { "问卷链接" } th class="r" { "样本" } }
                @for unit in &ctx.units {
                    tr {
                        td { (unit.name_zh) }
                        td { code { "/s/" (c.slug) "/" (unit.code) } }
                        td class="r" { (counts.iter().find(|(id, _)| *id == unit.id).map_or(0, |(_, n)| *n)) }
                    }
                }
            }
        },
    )
}

pub fn audit(user: &CurrentUser, entries: &[AuditEntry]) -> Markup {
    page(
        "审计日志",
        Some(user),
        html! {
            table {
                tr { th { "时间 (UTC)" } th { "用户" } th { "操作" } th { "内容" } }
                @for e in entries {
                    tr {
                        td { (chrono::DateTime::from_timestamp_millis(e.at).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()) }
                        td { (e.username) }
                        td { (e.action) }
                        td { (e.detail) }
                    }
                }
            }
        },
    )
}
