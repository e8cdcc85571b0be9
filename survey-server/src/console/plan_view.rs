//! The sampling plan page: the plan with each stratum's progress and achieved margin of
//! error, and (for admins) the form that sets it.

use maud::{html, Markup};
use minyi_design::SampleSizeSpec;

use super::may;
use super::plan::{achieved, Loaded};
use super::views::page;
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::auth::Access;

pub(super) fn render(
    user: &CurrentUser,
    (ctx, plan, counts, types): &Loaded,
    errors: &[String],
    fields: &[(String, String)],
) -> Markup {
    let c = &ctx.campaign;
    let typed = |name: &str, default: String| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or(default)
    };
    let type_name = |code: &str| {
        types
            .iter()
            .find(|(c, _)| c == code)
            .map_or(code.to_string(), |(_, l)| l.clone())
    };
    page(
        &format!("抽样方案 · {}", c.label_zh),
        Some(user),
        html! {
            @if !errors.is_empty() {
                div class="sum" role="alert" { h2 { "请修改以下问题" } ul { @for e in errors { li { (e) } } } }
            }
            @if let Some((plan, rows)) = plan {
                p { "置信水平 " (plan.confidence * 100.0) "%，允许误差 ±" (plan.margin * 100.0) " 个百分点，"
                    (match plan.allocation.as_str() { "proportional" => "按比例分配", "equal" => "等额分配", _ => "Neyman 最优分配" })
                    "，每单位至少 " (plan.min_per_unit) " 份；超出配额时"
                    (if plan.quota_policy == "close_stratum" { "停止该单位收集" } else { "继续接收并标记" }) "。" }
                table {
                    tr { th { "单位" } th { "身份" } th class="r" { "总体规模" } th class="r" { "目标样本" } th class="r" { "已回收" } th class="r" { "完成率" } th class="r" { "当前误差（±百分点）" } }
                    @for row in rows {
                        @let unit = ctx.units.iter().find(|u| u.id == row.unit_id);
                        @let n = achieved(counts, row);
                        @let spec = SampleSizeSpec::proportion(plan.confidence, plan.margin, None).ok();
                        @let moe = spec.and_then(|s| s.achieved_margin(n as u64, Some(row.population as u64)).ok());
                        tr {
                            td { (unit.map_or("?", |u| u.name_zh.as_str())) }
                            td { (if row.respondent_type.is_empty() { "全部".to_string() } else { type_name(&row.respondent_type) }) }
                            td class="r" { (row.population) }
                            td class="r" { (row.target) }
                            td class="r" { (n) }
                            td class="r" { (format!("{:.0}%", 100.0 * n as f64 / f64::from(row.target.max(1)))) }
                            td class="r" { (moe.map_or("—".to_string(), |m| format!("{:.1}", m * 100.0))) }
                        }
                    }
                }
            } @else {
                p { "尚未制定抽样方案。" }
            }
            @if may(user, Access::Admin) {
                h2 { "制定 / 修改方案" }
                form method="post" action=(format!("/console/campaigns/{}/plan", c.slug)) {
                    input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
                    @for (name, label, default) in [
                        ("confidence", "置信水平（如 0.95）", "0.95"),
                        ("margin", "允许误差（比例，如 0.05 表示 ±5 个百分点）", "0.05"),
                        ("min_per_unit", "每单位最少样本", "30"),
                    ] {
                        label class="f" for=(name) { (label) }
                        input type="text" id=(name) name=(name) value=(typed(name, default.to_string()));
                    }
                    label class="f" for="allocation" { "分配方式" }
                    select id="allocation" name="allocation" {
                        @for (value, label) in [("proportional", "按比例"), ("equal", "等额"), ("neyman", "Neyman 最优（需填写各单位标准差）")] {
                            option value=(value) selected[typed("allocation", String::new()) == value] { (label) }
                        }
                    }
                    label class="f" for="quota_policy" { "超出配额时" }
                    select id="quota_policy" name="quota_policy" {
                        option value="accept_and_mark" { "继续接收并标记" }
                        option value="close_stratum" selected[typed("quota_policy", String::new()) == "close_stratum"] { "停止该单位收集" }
                    }
                    label class="c" {
                        input type="checkbox" name="by_respondent_type" value="1" checked[typed("by_respondent_type", String::new()) == "1"];
                        "按“单位 × 身份”分层（填写下方第二张表；各单位样本按身份人数比例分配，各格单独配额）"
                    }
                    table {
                        tr { th { "单位" } th { "总体规模（服务对象数）" } th { "标准差（Neyman 用，可空）" } }
                        @for unit in &ctx.units {
                            tr {
                                td { (unit.name_zh) }
                                td { input type="text" name=(format!("pop_{}", unit.code)) aria-label=(format!("{} 总体规模", unit.name_zh)) value=(typed(&format!("pop_{}", unit.code), String::new())); }
                                td { input type="text" name=(format!("sd_{}", unit.code)) aria-label=(format!("{} 标准差", unit.name_zh)) value=(typed(&format!("sd_{}", unit.code), String::new())); }
                            }
                        }
                    }
                    @if !types.is_empty() {
                        table {
                            tr { th { "单位" } @for (_, label) in types { th { (label) } } }
                            @for unit in &ctx.units {
                                tr {
                                    td { (unit.name_zh) }
                                    @for (code, label) in types {
                                        @let name = format!("pop_{}_{code}", unit.code);
                                        td { input type="text" name=(name) aria-label=(format!("{} {label} 总体规模", unit.name_zh)) value=(typed(&name, String::new())); }
                                    }
                                }
                            }
                        }
                    }
                    button type="submit" { "计算并保存" }
                }
            }
        },
    )
}
