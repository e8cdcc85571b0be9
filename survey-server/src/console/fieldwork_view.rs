//! The fieldwork page (see `fieldwork.rs`): the frame, the draw, each stratum against its
//! target, the AAPOR rates, the settings and SMS forms.

use actix_web::HttpResponse;
use maud::{html, Markup};
use minyi_fieldwork::rates::Rates;
use minyi_fieldwork::schedule::projected_finish;
use minyi_fieldwork::sms::segments;
use serde::Serialize;

use super::fieldwork::Loaded;
use super::may;
use super::views::{html_response, page as layout};
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::auth::Access;
use crate::db::campaigns::CampaignContext;
use crate::fieldwork::status::GroupRates;

/// A stratum's progress, for the page and the JSON.
#[derive(Debug, Clone, Serialize)]
pub struct StratumLine {
    pub stratum: String,
    pub unit: String,
    pub n_frame: i32,
    pub target: i32,
    pub selected: i32,
    pub released: i32,
    pub replicates: i32,
    pub inclusion_probability: f64,
    pub completes: u32,
    /// When the stratum reaches its target at the rate so far (epoch ms), if it has begun.
    pub projected_finish_ms: Option<i64>,
}

pub fn unit_code(ctx: &CampaignContext, unit_id: i32) -> String {
    ctx.units
        .iter()
        .find(|u| u.id == unit_id)
        .map_or_else(String::new, |u| u.code.clone())
}

pub fn stratum_lines(loaded: &Loaded, now: i64) -> Vec<StratumLine> {
    match &loaded.fieldwork {
        Some(f) => lines(&loaded.ctx, f, now),
        None => Vec::new(),
    }
}

/// Each stratum of a drawn campaign against its target.
pub fn lines(
    ctx: &CampaignContext,
    f: &crate::fieldwork::status::Fieldwork,
    now: i64,
) -> Vec<StratumLine> {
    let completes = f.completes();
    // Fieldwork began at the draw or the first attempt made, whichever came first.
    let started = f
        .cases
        .iter()
        .flat_map(|c| c.attempts.iter().map(|a| a.attempted_at))
        .chain(std::iter::once(f.draw.drawn_at))
        .min()
        .unwrap_or(f.draw.drawn_at);
    f.strata
        .iter()
        .map(|s| {
            let done = completes.get(s.stratum.as_str()).copied().unwrap_or(0);
            StratumLine {
                stratum: s.stratum.clone(),
                unit: unit_code(ctx, s.unit_id),
                n_frame: s.n_frame,
                target: s.target,
                selected: s.n_selected,
                released: s.released,
                replicates: s.replicates,
                inclusion_probability: s.inclusion_probability(),
                completes: done,
                projected_finish_ms: projected_finish(
                    done,
                    u32::try_from(s.target).unwrap_or(0),
                    started,
                    now,
                ),
            }
        })
        .collect()
}

/// What the last action did, from the `?done=` the page was sent back with.
fn done_text(done: &str) -> Option<String> {
    let (what, n) = done.split_once('-').unwrap_or((done, ""));
    Some(match what {
        "frame" => format!("已导入抽样框 {n} 行。"),
        "draw" => format!("已抽取样本，首批发放 {n} 个案件。"),
        "release" => "已追加发放样本（新的一批）。".to_string(),
        "settings" => "已保存访问设置。".to_string(),
        "sent" => format!("已通过短信网关发送 {n} 条短信。"),
        "verify" => format!("已抽取 {n} 个访问进入回访复核。"),
        "quarantine" => format!("已隔离该访员的 {n} 份问卷（标记为 quarantined，保留不删）。"),
        _ => return None,
    })
}

/// A group's name as the page shows it: modes in Chinese, the whole sample as 全部.
fn group_label(group: &str) -> &str {
    match group {
        "all" => "全部",
        "phone" => "电话访问",
        "face" => "面访",
        "sms" => "短信链接",
        "web" => "网络（自选）",
        "none" => "尚未联系",
        "" => "（无访员）",
        other => other,
    }
}

fn method_label(method: &str) -> &str {
    match method {
        "srswor" => "分层简单随机抽样（不放回）",
        "systematic" => "分层系统抽样",
        other => other,
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn cst(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string())
}

fn rates_table(title: &str, rows: &[GroupRates]) -> Markup {
    html! {
        h3 { (title) }
        div class="scroll" {
            table {
                tr {
                    th { "组" } th class="r" { "案件" } th class="r" { "完成" }
                    th class="r" { "RR1" } th class="r" { "RR3" } th class="r" { "COOP1" }
                    th class="r" { "REF1" } th class="r" { "CON1" } th class="r" { "e" }
                }
                @for g in rows {
                    (rate_row(group_label(&g.group), g.counts.total(), g.counts.i, &g.rates))
                }
            }
        }
    }
}

fn rate_row(group: &str, total: u64, completes: u64, r: &Rates) -> Markup {
    html! {
        tr {
            td { (group) }
            td class="r" { (total) }
            td class="r" { (completes) }
            td class="r" { (percent(r.rr1)) }
            td class="r" { (percent(r.rr3)) }
            td class="r" { (percent(r.coop1)) }
            td class="r" { (percent(r.ref1)) }
            td class="r" { (percent(r.con1)) }
            td class="r" { (format!("{:.3}", r.e)) }
        }
    }
}

fn verification_table(user: &CurrentUser, loaded: &Loaded, base: &str) -> Markup {
    let summary = crate::fieldwork::verify::summary(&loaded.verifications);
    let mut interviewers: Vec<String> = loaded
        .fieldwork
        .iter()
        .flat_map(|f| f.cases.iter().map(|c| c.interviewer().to_string()))
        .filter(|i| !i.is_empty())
        .collect();
    interviewers.sort();
    interviewers.dedup();
    let csrf = html! { input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token); };
    html! {
        form method="post" action=(format!("{base}/verification")) {
            (csrf)
            button type="submit" { "抽取复核样本（各访员完成数的设定比例）" }
        }
        div class="scroll" {
            table {
                tr { th { "访员" } th class="r" { "待复核" } th class="r" { "已复核" } th class="r" { "不一致题目" } th class="r" { "不一致率" } th { "状态" } }
                @for who in &interviewers {
                    @let pending = loaded.verifications.iter().filter(|v| &v.interviewer == who && v.checked_at.is_none()).count();
                    @let m = summary.get(who).copied().unwrap_or_default();
                    @let quarantined = loaded.quarantined.iter().find(|(i, _)| i == who);
                    tr {
                        td { (who) }
                        td class="r" { (pending) }
                        td class="r" { (m.callbacks) }
                        td class="r" { (m.differing) " / " (m.items) }
                        td class="r" { (percent(m.rate)) }
                        td {
                            @if let Some((_, reason)) = quarantined { "已隔离：" (reason) }
                            @else {
                                form class="inline" method="post" action=(format!("{base}/quarantine")) {
                                    (csrf)
                                    input type="hidden" name="interviewer" value=(who);
                                    input name="reason" placeholder="隔离原因" aria-label=(format!("隔离 {who} 的原因"));
                                    button type="submit" { "隔离其问卷" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The page, with `problems` listed at the top (status 422/409) or a note of what was done.
pub fn page(
    user: &CurrentUser,
    loaded: &Loaded,
    done: Option<&str>,
    problems: &[String],
    status: u16,
) -> HttpResponse {
    let slug = &loaded.ctx.campaign.slug;
    let base = format!("/console/campaigns/{slug}/fieldwork");
    let csrf = html! { input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token); };
    let now = crate::db::now_ms();
    let body = html! {
        p { a href=(format!("/console/campaigns/{slug}")) { "← 返回活动" } " · " a href=(format!("/console/campaigns/{slug}/calls")) { "电话访问（访员）" } }
        @if !problems.is_empty() {
            div class="errors" role="alert" {
                p { strong { "未能完成：" } }
                ul { @for p in problems { li { (p) } } }
            }
        }
        @if let Some(done) = done.and_then(done_text) {
            p class="ok" role="status" { (done) }
        }
        h2 { "抽样框" }
        @match &loaded.frame {
            Some(f) => p { "已导入 " (f.file_name) "，" (f.n_rows) " 行，变量：" (f.variable_names().join("、")) "；SHA-256 " code { (&f.file_sha256[..16]) "…" } "；" (cst(f.imported_at)) " 由 " (f.imported_by) " 导入。" },
            None => p { "尚未导入抽样框。" },
        }
        @if may(user, Access::Admin) && loaded.fieldwork.is_none() {
            form method="post" action=(format!("{base}/frame")) enctype="multipart/form-data" {
                (csrf)
                p { label { "抽样框文件（CSV 或 XLSX，不超过 20 MB）" br; input type="file" name="file" accept=".csv,.xlsx" required; } }
                p { label { "案件编号列 " input name="id_column" value="案件编号" required; } }
                p { label { "执法单位列（单位代码） " input name="unit_column" value="执法单位" required; } }
                p { label { "手机号列 " input name="phone_column" value="手机号" required; } }
                p { label { "姓名列（可空） " input name="name_column" value=""; } }
                p { label { "框变量列（逗号分隔，如 案件类型,当事人类型,办结月份） " input name="variables" value=""; } }
                button type="submit" { "导入抽样框" }
            }
        }
        h2 { "抽样" }
        @match &loaded.fieldwork {
            None => {
                @if let Some(f) = &loaded.frame {
                    form method="post" action=(format!("{base}/draw")) {
                        (csrf)
                        p { "分层：单位 × 所选框变量" }
                        @for v in f.variable_names() {
                            label class="inline" { input type="checkbox" name="strata_by" value=(v); " " (v) } " "
                        }
                        p { label { "抽样方法 " select name="method" { option value="srswor" { "分层简单随机抽样（不放回）" } option value="systematic" { "分层系统抽样（按排序变量）" } } } }
                        p { label { "系统抽样排序变量（可空） " select name="sort_by" { option value="" { "（按案件编号）" } @for v in f.variable_names() { option value=(v) { (v) } } } } }
                        p { label { "预期应答率 " input name="expected_rate" value="0.5" inputmode="decimal"; } }
                        p { label { "备用样本倍数（用于追加） " input name="reserve" value="1" inputmode="decimal"; } }
                        p { label { "每单位目标完成数（留空则用抽样方案） " input name="target_per_unit" value="" inputmode="numeric"; } }
                        p { label { "随机种子（留空由系统生成并记录） " input name="seed" value="" inputmode="numeric"; } }
                        button type="submit" { "抽取样本" }
                    }
                } @else { p { "请先导入抽样框。" } }
            }
            Some(f) => {
                p { "方法：" (method_label(&f.draw.method)) "；分层变量：" (if f.draw.strata_variables().is_empty() { "（仅单位）".to_string() } else { f.draw.strata_variables().join("、") }) "；预期应答率 " (f.draw.expected_rate) "；" (cst(f.draw.drawn_at)) " 由 " (f.draw.drawn_by) " 抽取（随机种子已加密记录）。已发放 " (f.cases.len()) " 个案件。" }
                div class="scroll" {
                    table {
                        tr { th { "层" } th class="r" { "框内" } th class="r" { "目标" } th class="r" { "已完成" } th class="r" { "已发放" } th class="r" { "入样概率" } th { "预计完成" } th { "追加" } }
                        @for s in stratum_lines(loaded, now) {
                            tr {
                                td { (s.stratum) }
                                td class="r" { (s.n_frame) }
                                td class="r" { (s.target) }
                                td class="r" { (s.completes) }
                                td class="r" { (s.released) " / " (s.selected) }
                                td class="r" { (format!("{:.4}", s.inclusion_probability)) }
                                td { (s.projected_finish_ms.map(cst).unwrap_or_else(|| "—".into())) }
                                td {
                                    @if s.released < s.selected {
                                        form class="inline" method="post" action=(format!("{base}/release")) {
                                            (csrf)
                                            input type="hidden" name="stratum" value=(s.stratum);
                                            input name="extra" size="3" value=((s.selected - s.released).min(s.target.max(1))) inputmode="numeric" aria-label=(format!("{} 追加数量", s.stratum));
                                            button type="submit" { "追加" }
                                        }
                                    } @else { "备用样本已用完" }
                                }
                            }
                        }
                    }
                }
                h2 { "应答率（AAPOR）" }
                @let report = f.rates(|id| unit_code(&loaded.ctx, id), None);
                p { "已发放案件 " (report.cases) "：完成 " (report.overall.counts.i) "，部分 " (report.overall.counts.p) "，拒访/中断 " (report.overall.counts.r) "，未接触 " (report.overall.counts.nc) "，其他 " (report.overall.counts.o) "，资格未知 " (report.overall.counts.uh + report.overall.counts.uo) "，不合格 " (report.overall.counts.ne) "。" }
                (rates_table("总体", std::slice::from_ref(&report.overall)))
                (rates_table("按层", &report.by_stratum))
                (rates_table("按单位", &report.by_unit))
                (rates_table("按方式", &report.by_mode))
                (rates_table("按访员", &report.by_interviewer))
                p { a href=(format!("{base}/dispositions.csv")) { "下载案件结果（dispositions.csv，不含电话号码）" } " · " a href=(format!("/api/v1/campaigns/{slug}/fieldwork")) { "JSON" } }
                h2 { "回访复核" }
                (verification_table(user, loaded, &base))
                h2 { "短信邀请" }
                @let seg = segments(&f.settings.sms_text.replace("{link}", &"x".repeat(60)));
                p { "当前短信约 " (seg.chars) " 字（含链接），计 " (seg.segments) " 条（每条 " (seg.per_segment) " 字）。" }
                form method="post" action=(format!("{base}/outbox.csv")) {
                    (csrf)
                    button type="submit" { "生成待发短信（CSV：手机号, 内容）" }
                }
                form method="post" action=(format!("{base}/send")) {
                    (csrf)
                    button type="submit" { "通过短信网关发送待发短信" }
                }
                p class="hint" { "下载或发送后即记为已发送；未回复者在设定天数后再次出现在待发清单中（提醒）。" }
                h2 { "访问设置" }
                form method="post" action=(format!("{base}/settings")) {
                    (csrf)
                    p { label { "拨打时段 " input name="call_windows" value=(f.settings.call_windows); } }
                    p { label { "最多拨打次数 " input name="max_attempts" value=(f.settings.max_attempts) inputmode="numeric"; } }
                    p { label { "两次拨打最短间隔（分钟） " input name="min_gap_minutes" value=(f.settings.min_gap_minutes) inputmode="numeric"; } }
                    p { label { input type="checkbox" name="responsive" checked[f.settings.responsive]; " 优先拨打进度落后的层（响应式设计）" } }
                    p { label { "短信内容（{link} 处插入一次性链接）" br; textarea name="sms_text" rows="4" cols="40" { (f.settings.sms_text) } } }
                    p { label { "提醒间隔（天） " input name="reminder_after_days" value=(f.settings.reminder_after_days) inputmode="numeric"; } }
                    p { label { "最多提醒次数 " input name="max_reminders" value=(f.settings.max_reminders) inputmode="numeric"; } }
                    p { label { "复核比例 " input name="verify_share" value=(f.settings.verify_share) inputmode="decimal"; } }
                    p { label { "每位访员最少复核数 " input name="verify_min" value=(f.settings.verify_min) inputmode="numeric"; } }
                    button type="submit" { "保存设置" }
                }
            }
        }
    };
    html_response(
        status,
        layout("实地调查（抽样框、抽样与应答率）", Some(user), body),
    )
}
