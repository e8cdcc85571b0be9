//! The interviewer's pages as HTML: the queue, a case (its phone number as a large `tel:`
//! link, its attempts, the outcome form, the questionnaire as a script to read aloud) and the
//! clear pages that refuse. Readable at 360 px, no script.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};
use minyi_fieldwork::disposition::Code;
use minyi_questionnaire::{
    likert_labels, not_applicable_label, yes_no_labels, Condition, FieldError, Item, ItemKind,
    Lang, Questionnaire,
};

use super::{Contact, Forms, Found, Missing, Notice, Summary, MODE_FIELD, NOTE_MAX_CHARS};
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::citizen::form_view::TOKEN_FIELD;
use crate::console::views::{html_response, page};
use crate::db::campaigns::CampaignContext;

const CSS: &str = "a.tel{display:block;margin:.75rem 0;padding:.8rem;min-height:56px;\
font-size:1.7rem;font-weight:700;text-align:center;text-decoration:none;letter-spacing:.05em;\
border:2px solid #0b5cad;border-radius:8px;background:#e6effa}\
.hint{font-size:.9rem;color:#7a4b00;margin:.1rem 0 .35rem}.say{font-size:1.08rem}\
input[type=datetime-local]{display:block;width:100%;min-height:44px;font:inherit;padding:.4rem;\
border:1px solid #b9bec6;border-radius:6px}.scroll{overflow-x:auto}.box{border:2px solid #0b5cad;\
padding:.5rem .75rem;margin:1rem 0;border-radius:6px}.jump a{display:inline-block;min-height:44px;\
padding:.6rem .4rem}";

/// A console page with this module's styles.
fn styled(title: &str, user: &CurrentUser, body: Markup) -> Markup {
    page(
        title,
        Some(user),
        html! { style { (PreEscaped(CSS)) } (body) },
    )
}

/// A page that refuses, with its stable error code and a way back.
fn refusal(
    user: &CurrentUser,
    status: u16,
    code: &'static str,
    title: &str,
    line: &str,
    back: &str,
) -> HttpResponse {
    let body = styled(
        title,
        user,
        html! {
            p data-error=(code) { (line) }
            p class="jump" { a href=(back) { "返回" } }
        },
    );
    let mut response = html_response(status, body);
    response.headers_mut().insert(
        HeaderName::from_static("x-minyi-error"),
        HeaderValue::from_static(code),
    );
    response
}

fn queue_link(slug: &str) -> String {
    format!("/console/campaigns/{slug}/calls")
}

pub(super) fn unknown_campaign(user: &CurrentUser) -> HttpResponse {
    refusal(
        user,
        404,
        "unknown_campaign",
        "未找到该测评活动",
        "链接中的测评活动不存在，请从控制台首页进入。",
        "/console",
    )
}

pub(super) fn no_sample(user: &CurrentUser, ctx: &CampaignContext, status: u16) -> HttpResponse {
    refusal(
        user,
        status,
        "no_sample",
        &format!("{} · 访问任务", ctx.campaign.label_zh),
        "本期测评尚未抽取样本，暂无可拨打的案件。抽样由第三方评估人员在“实地调查”页完成。",
        "/console",
    )
}

pub(super) fn missing(user: &CurrentUser, missing: Missing) -> HttpResponse {
    match missing {
        Missing::Campaign => unknown_campaign(user),
        Missing::Sample => refusal(
            user,
            404,
            "no_sample",
            "尚未抽样",
            "本期测评尚未抽取样本。",
            "/console",
        ),
        Missing::Case => refusal(
            user,
            404,
            "unknown_case",
            "未找到该案件",
            "该案件不在本期已发放的样本中，请返回任务页领取下一个案件。",
            "/console",
        ),
    }
}

pub(super) fn not_yours(user: &CurrentUser, found: &Found, status: u16) -> HttpResponse {
    refusal(
        user,
        status,
        "case_not_held",
        "此案件不在您名下",
        "只有领取了该案件的访员才能查看和记录它（领取可能已超时，被其他访员领走）。请返回任务页，点击“下一个案件”。",
        &queue_link(&found.ctx.campaign.slug),
    )
}

pub(super) fn closed(user: &CurrentUser, found: &Found) -> HttpResponse {
    let code = found.case.final_code;
    refusal(
        user,
        409,
        "case_closed",
        "此案件已结案",
        &format!(
            "该案件的结果已是“{} {}”，不能再次访问或记录。请返回任务页领取下一个案件。",
            code.code(),
            code.label_zh()
        ),
        &queue_link(&found.ctx.campaign.slug),
    )
}

pub(super) fn wave_not_open(user: &CurrentUser, found: &Found) -> HttpResponse {
    refusal(
        user,
        409,
        "campaign_closed",
        "本期测评不在收集期内",
        "本期测评尚未开始或已经结束，访问答案无法保存。",
        &queue_link(&found.ctx.campaign.slug),
    )
}

pub(super) fn quota_full(user: &CurrentUser, found: &Found) -> HttpResponse {
    refusal(
        user,
        409,
        "quota_full",
        "该单位的样本配额已满",
        "按抽样方案，该单位（或该类受访者）的样本已收满，本次访问答案未保存。请在“结果”中选择 4.80 配额已满。",
        &format!(
            "/console/campaigns/{}/calls/{}",
            found.ctx.campaign.slug, found.case.record.case_ref
        ),
    )
}

/// `YYYY-MM-DD HH:MM`, China Standard Time.
fn cst(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + super::CST_OFFSET_MS)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string())
}

/// A case's reference as the pages show it: enough to tell cases apart.
fn short(case_ref: &str) -> &str {
    case_ref.get(..8).unwrap_or(case_ref)
}

fn mode_label(mode: &str) -> &str {
    match mode {
        "phone" => "电话",
        "face" => "面访",
        "sms" => "短信",
        "web" => "网页",
        other => other,
    }
}

pub(super) fn queue(
    user: &CurrentUser,
    ctx: &CampaignContext,
    s: &Summary,
    notice: Option<Notice>,
) -> HttpResponse {
    let slug = &ctx.campaign.slug;
    let windows = match &s.windows {
        Ok(w) if w.is_empty() => "全天".to_string(),
        Ok(w) => w
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        Err(e) => format!("设置有误（{e}），请联系评估人员修改"),
    };
    let body = html! {
        @match notice {
            Some(Notice::Saved) => p class="ok" role="status" { "已保存：访问答案已提交，该案件记为完成访问（1.1）。" },
            Some(Notice::Recorded) => p class="ok" role="status" { "已记录本次联系结果。" },
            Some(Notice::NoneCallable) => div class="sum" role="alert" {
                p { "现在没有可拨打的案件。" }
                @if !s.in_window { @if let Some(t) = s.next_window { p { "现在不在拨打时段内，下一个时段 " (cst(t)) " 开始。" } } }
                @if let Some(t) = s.earliest { p { "最早可在 " (cst(t)) " 再试。" } }
            },
            None => {},
        }
        form method="post" action=(format!("/console/campaigns/{slug}/calls/next")) {
            input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
            button type="submit" { "下一个案件" }
        }
        p { "已发放案件 " (s.released) " 个，现在可拨打 " strong { (s.callable) } " 个。" }
        p { "拨打时段（北京时间）：" (windows) "。"
            @if s.windows.is_ok() {
                @if s.in_window { "现在在拨打时段内。" }
                @else if let Some(t) = s.next_window { "现在不在拨打时段内，下一个时段 " (cst(t)) " 开始。" }
            }
        }
        h2 { "我领取的案件" }
        @if s.mine.is_empty() { p class="n" { "暂无。点击“下一个案件”领取。" } } @else {
            ul {
                @for (case_ref, until) in &s.mine {
                    li class="jump" {
                        a href=(format!("/console/campaigns/{slug}/calls/{case_ref}")) { "案件 " (short(case_ref)) }
                        @if *until > s.now { " 保留至 " (cst(*until)) } @else { " 领取已超时，其他访员可领走" }
                    }
                }
            }
        }
        h2 { "预约回访" }
        @if s.appointments.is_empty() { p class="n" { "暂无预约。" } } @else {
            p class="n" { "到时间的预约会在“下一个案件”中优先分配。" }
            table {
                tr { th { "案件" } th { "预约时间（北京时间）" } th { "状态" } }
                @for (case_ref, at, due) in &s.appointments {
                    tr { td { (short(case_ref)) } td { (cst(*at)) } td { @if *due { strong { "已到时间" } } @else { "未到" } } }
                }
            }
        }
    };
    html_response(
        200,
        styled(&format!("{} · 访问任务", ctx.campaign.label_zh), user, body),
    )
}

/// Everything the case page shows.
pub(super) struct CasePage<'a> {
    pub user: &'a CurrentUser,
    pub found: &'a Found,
    pub contact: &'a Contact,
    /// Each attempt's opened note, in attempt order.
    pub notes: &'a [Option<String>],
    pub forms: &'a Forms<'a>,
    pub now: i64,
}

pub(super) fn case_page(p: &CasePage<'_>, status: u16) -> HttpResponse {
    let (found, user) = (p.found, p.user);
    let case = &found.case;
    let slug = &found.ctx.campaign.slug;
    let unit = found.ctx.units.iter().find(|u| u.id == case.record.unit_id);
    let mine = found.is_mine(user);
    let base = format!("/console/campaigns/{slug}/calls/{}", case.record.case_ref);
    let body = html! {
        p class="jump" { a href=(queue_link(slug)) { "← 返回任务页" } }
        // The script sits below the outcome form: say at the top that it needs a look.
        @if !p.forms.script.errors.is_empty() {
            div class="sum" role="alert" { a href="#script" { "访问答案有 " (p.forms.script.errors.len()) " 处需要修改，答案已保留：请到下方问卷中修改后再保存" } }
        }
        p { "执法单位：" strong { (unit.map_or("", |u| u.name_zh.as_str())) } }
        p class="n" { "抽样层：" (case.record.stratum) }
        (contact_markup(p.contact))
        p { "已联系 " (case.attempts.len()) " 次（上限 " (found.max_attempts) " 次）；目前结果：" (case.final_code.code()) " " (case.final_code.label_zh()) "。" }
        @if let Some(at) = case.appointment().filter(|_| !case.closed) {
            p class="box" { "预约回访：" strong { (cst(at)) } "（北京时间）" }
        }
        @if !case.attempts.is_empty() { (attempts_markup(p)) }
        @if case.closed {
            p class="ok" { "此案件已结案，无需再拨打。" }
        } @else if !mine {
            p class="box" {
                @match found.holder() {
                    Some(who) => { "此案件由 " (who) " 领取。" }
                    None => { "此案件目前无人领取。" }
                }
                "您可以查看；只有领取人可以记录结果或访问。"
            }
        } @else {
            p class="jump" { a href="#outcome" { "记录本次联系结果" } " · " a href="#script" { "开始访问（问卷）" } }
            h2 id="outcome" { "本次联系结果（未完成访问时填写）" }
            (outcome_form(user, &base, p.forms, p.now))
            h2 id="script" { "访问问卷（请照读）" }
            (script_form(user, &base, &found.questionnaire, p.forms))
        }
    };
    html_response(
        status,
        styled(
            &format!("案件 {}", short(&case.record.case_ref)),
            user,
            body,
        ),
    )
}

fn contact_markup(contact: &Contact) -> Markup {
    match contact {
        Contact::Open(c) => {
            let digits: String = c.phone.chars().filter(char::is_ascii_digit).collect();
            let shown = match digits.len() {
                11 => format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..]),
                _ => digits.clone(),
            };
            html! {
                a class="tel" href=(format!("tel:{digits}")) { "拨打 " (shown) }
                @if let Some(name) = c.name.as_deref().filter(|n| !n.is_empty()) { p { "称呼：" strong { (name) } } }
            }
        }
        Contact::Purged => html! { p class="box" { "该案件的联系方式已按规定删除。" } },
        Contact::Unreadable => {
            html! { p class="sum" { "该案件的联系方式无法解密（密钥文件不符或数据被改动），请联系管理员。" } }
        }
    }
}

fn attempts_markup(p: &CasePage<'_>) -> Markup {
    html! {
        h2 { "联系记录" }
        div class="scroll" {
            table {
                tr { th { "时间" } th { "方式" } th { "访员" } th { "结果" } th { "预约" } th { "备注" } }
                @for (a, note) in p.found.case.attempts.iter().zip(p.notes) {
                    tr {
                        td { (cst(a.attempted_at)) }
                        td { (mode_label(&a.mode)) }
                        td { (a.interviewer) }
                        td { (a.code) " " (Code::parse(&a.code).map_or("", Code::label_zh)) }
                        td { (a.appointment_at.map(cst).unwrap_or_default()) }
                        td { (note.as_deref().unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

fn mode_choice(name: &str, chosen: &str, error: Option<&str>) -> Markup {
    html! {
        fieldset id=(format!("q-{name}")) class=[error.map(|_| "bad")] {
            legend { "联系方式" }
            @if let Some(e) = error { p class="err" { (e) } }
            div class="o yn" {
                @for (value, label) in [("phone", "电话"), ("face", "面访")] {
                    label class="c" { input type="radio" name=(name) value=(value) checked[chosen == value]; (label) }
                }
            }
        }
    }
}

fn outcome_form(user: &CurrentUser, base: &str, forms: &Forms<'_>, now: i64) -> Markup {
    let input = forms.outcome;
    let error = |field: &str| {
        forms
            .outcome_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    };
    let groups = [
        ("1", "部分完成"),
        ("2", "合格未访（2.x）"),
        ("3", "资格不明（3.x）"),
        ("4", "不合格（4.x）"),
    ];
    let allowed = |c: &Code| c.is_attempt_outcome() && *c != Code::Complete;
    let mode = if input.mode.is_empty() {
        "phone"
    } else {
        input.mode.as_str()
    };
    let min = cst(now).replace(' ', "T");
    html! {
        @if !forms.outcome_errors.is_empty() {
            div class="sum" role="alert" {
                h2 { "请修改以下 " (forms.outcome_errors.len()) " 处后再保存" }
                ul { @for (_, m) in forms.outcome_errors { li { (m) } } }
            }
        }
        form method="post" action=(format!("{base}/outcome")) {
            input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
            div class=[error("code").map(|_| "bad")] {
                label class="f" for="code" { "结果（AAPOR 代码）" }
                @if let Some(e) = error("code") { p class="err" { (e) } }
                select id="code" name="code" {
                    option value="" { "请选择" }
                    @for (digit, title) in groups {
                        optgroup label=(title) {
                            @for c in Code::ALL.iter().filter(|c| allowed(c) && c.code().starts_with(digit)) {
                                option value=(c.code()) selected[input.code.trim() == c.code()] { (c.code()) " " (c.label_zh()) }
                            }
                        }
                    }
                }
            }
            div class=[error("appointment").map(|_| "bad")] {
                label class="f" for="appointment" { "预约回访时间（北京时间，可不填）" }
                @if let Some(e) = error("appointment") { p class="err" { (e) } }
                input type="datetime-local" id="appointment" name="appointment" min=(min) value=(input.appointment);
            }
            div class=[error("note").map(|_| "bad")] {
                label class="f" for="note" { "备注（可不填，加密保存，最多 " (NOTE_MAX_CHARS) " 字）" }
                @if let Some(e) = error("note") { p class="err" { (e) } }
                textarea id="note" name="note" maxlength=(NOTE_MAX_CHARS) { (input.note) }
            }
            (mode_choice("mode", mode, error("mode")))
            button type="submit" { "保存联系结果" }
        }
    }
}

fn script_form(user: &CurrentUser, base: &str, q: &Questionnaire, forms: &Forms<'_>) -> Markup {
    let s = &forms.script;
    let numbers: Vec<&str> = q.items().map(|(_, i)| i.id.as_str()).collect();
    let number = |id: &str| numbers.iter().position(|n| *n == id).map_or(0, |n| n + 1);
    let error = |id: &str| {
        s.errors
            .iter()
            .find(|e| e.item == id)
            .map(|e| e.problem.message(Lang::Zh))
    };
    let label = |e: &FieldError| match e.item.as_str() {
        TOKEN_FIELD => "页面已过期或无法识别，答案已保留，请核对后再次提交".to_string(),
        MODE_FIELD => "联系方式：请选择电话或面访".to_string(),
        id if number(id) > 0 => format!("第 {} 题：{}", number(id), e.problem.message(Lang::Zh)),
        id => format!("{id}：{}", e.problem.message(Lang::Zh)),
    };
    let mode_error = s
        .errors
        .iter()
        .any(|e| e.item == MODE_FIELD)
        .then_some("请选择电话或面访");
    html! {
        @if !s.errors.is_empty() {
            div class="sum" role="alert" {
                h2 { "请修改以下 " (s.errors.len()) " 处后再保存" }
                ul { @for e in s.errors {
                    li { @if e.item.starts_with('_') { (label(e)) } @else { a href=(format!("#q-{}", e.item)) { (label(e)) } } }
                } }
            }
        }
        form method="post" action=(format!("{base}/interview")) {
            input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
            input type="hidden" name=(TOKEN_FIELD) value=(s.token);
            (mode_choice(MODE_FIELD, s.mode, mode_error))
            p class="n" { "请逐字朗读题目和选项，按受访者的回答点选；标注“仅当……时询问”的题目，条件不符时跳过。" }
            @if let Some(intro) = &q.intro { p class="say" { (intro.get(Lang::Zh)) } }
            @for section in &q.sections {
                h2 { (section.title.get(Lang::Zh)) }
                @if let Some(c) = &section.show_if { p class="hint" { (condition_hint(q, c, &number)) } }
                @if let Some(note) = &section.note { p class="n" { (note.get(Lang::Zh)) } }
                @for item in &section.items {
                    (item_markup(q, item, number(&item.id), s.submitted, error(&item.id), &number))
                }
            }
            button type="submit" { "保存访问答案（完成访问）" }
        }
    }
}

/// "仅当第 3 题回答“企业”或“个人”时询问".
fn condition_hint(q: &Questionnaire, c: &Condition, number: &dyn Fn(&str) -> usize) -> String {
    let labels: Vec<String> = c
        .any_of
        .iter()
        .map(|code| {
            let label = q
                .item(&c.item)
                .and_then(|i| i.options().iter().find(|o| &o.code == code))
                .map_or(code.as_str(), |o| o.label.get(Lang::Zh));
            format!("“{label}”")
        })
        .collect();
    format!(
        "（仅当第 {} 题回答{}时询问）",
        number(&c.item),
        labels.join("或")
    )
}

fn item_markup(
    q: &Questionnaire,
    item: &Item,
    number: usize,
    submitted: &[(String, String)],
    error: Option<String>,
    numbers: &dyn Fn(&str) -> usize,
) -> Markup {
    let id = &item.id;
    let values: Vec<&str> = submitted
        .iter()
        .filter(|(k, _)| k == id)
        .flat_map(|(_, v)| v.split(';'))
        .collect();
    let hint = item.show_if.as_ref().map(|c| condition_hint(q, c, numbers));
    // The item's own text may already say it (the default questionnaire's does).
    let says_multi = item.text.get(Lang::Zh).contains("多选");
    let how = match &item.kind {
        ItemKind::Multi {
            max_choices: Some(n),
            ..
        } => Some(format!("（可多选，最多 {n} 项）")),
        ItemKind::Multi { .. } if !says_multi => Some("（可多选）".to_string()),
        ItemKind::Multi { .. } => None,
        _ if !item.is_required() => Some("（可不答）".to_string()),
        _ => None,
    };
    let head = html! {
        @if let Some(h) = &hint { p class="hint" { (h) } }
        @if let Some(e) = &error { p class="err" { (e) } }
    };
    let text = format!(
        "{number}. {}{}",
        item.text.get(Lang::Zh),
        how.unwrap_or_default()
    );
    if let ItemKind::Text { max_chars } = item.kind {
        return html! {
            div id=(format!("q-{id}")) class=[error.as_ref().map(|_| "bad")] {
                label class="u say" for=(format!("t-{id}")) { (text) }
                (head)
                textarea id=(format!("t-{id}")) name=(id) maxlength=(max_chars) { (values.first().copied().unwrap_or_default()) }
            }
        };
    }
    let (grid, options) = options(item);
    let kind = if matches!(item.kind, ItemKind::Multi { .. }) {
        "checkbox"
    } else {
        "radio"
    };
    let ends = match &item.kind {
        ItemKind::Scale10 { low, high } => Some((low, high)),
        _ => None,
    };
    html! {
        fieldset id=(format!("q-{id}")) class=[error.as_ref().map(|_| "bad")] {
            legend class="say" { (text) }
            @if let Some((low, high)) = ends {
                p class="n" { "0 = " (low.get(Lang::Zh)) "，10 = " (high.get(Lang::Zh)) }
            }
            (head)
            div class=(format!("o{grid}")) {
                @for (value, label) in &options {
                    label class=(if value == "na" && grid == " l5" { "c w" } else { "c" }) {
                        input type=(kind) name=(id) value=(value) checked[values.contains(&value.as_str())];
                        (label)
                    }
                }
            }
        }
    }
}

/// (value, label) of each option of a choice-like item, and its grid's class.
fn options(item: &Item) -> (&'static str, Vec<(String, String)>) {
    let na = || ("na".to_string(), not_applicable_label(Lang::Zh).to_string());
    match &item.kind {
        ItemKind::Likert5 { scale, allow_na } => {
            let mut all: Vec<_> = likert_labels(*scale, Lang::Zh)
                .iter()
                .enumerate()
                .map(|(i, label)| ((i + 1).to_string(), label.to_string()))
                .collect();
            all.extend(allow_na.then(na));
            (" l5", all)
        }
        ItemKind::YesNo { allow_na } => {
            let [yes, no, unsure] = yes_no_labels(Lang::Zh);
            let mut all = vec![("yes".into(), yes.into()), ("no".into(), no.into())];
            if *allow_na {
                all.push(("na".into(), unsure.into()));
            }
            (" yn", all)
        }
        ItemKind::Scale10 { .. } => (
            " s11",
            (0..=10).map(|v| (v.to_string(), v.to_string())).collect(),
        ),
        ItemKind::Single { options } | ItemKind::Multi { options, .. } => (
            "",
            options
                .iter()
                .map(|o| (o.code.clone(), o.label.get(Lang::Zh).to_string()))
                .collect(),
        ),
        ItemKind::Text { .. } => ("", Vec::new()),
    }
}
