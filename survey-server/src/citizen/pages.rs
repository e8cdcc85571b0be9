//! The citizen's pages other than the form: layout, thank-you, and the error pages.
//! Small, self-contained HTML: system fonts, inline CSS, no script, no external request.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use minyi_questionnaire::Lang;

pub const CSS: &str = include_str!("form.css");

pub fn layout(lang: Lang, title: &str, extra_css: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                meta name="referrer" content="no-referrer";
                // No favicon request: on a weak mountain signal every round trip counts.
                link rel="icon" href="data:,";
                title { (title) }
                style { (PreEscaped(CSS)) (PreEscaped(extra_css)) }
            }
            body { main { (body) } }
        }
    }
}

pub fn thanks_page(lang: Lang, campaign_label: &str) -> Markup {
    let (title, line, note) = match lang {
        Lang::Zh => (
            "提交成功",
            "感谢您的参与！您的回答已安全保存。",
            "本调查匿名进行，您的意见将用于改进行政执法工作。现在可以关闭本页面。",
        ),
        Lang::En => (
            "Thank you",
            "Thank you for taking part. Your answers have been saved.",
            "The survey is anonymous; your views will be used to improve enforcement. You may close this page.",
        ),
    };
    layout(
        lang,
        title,
        "",
        html! {
            h1 data-page="thanks" { (title) }
            p { (campaign_label) }
            p class="ok" { (line) }
            p class="n" { (note) }
        },
    )
}

/// A clear page for each error code, in the citizen's language.
pub fn error_page(lang: Lang, code: &str) -> Markup {
    let (title, line) = message(lang, code);
    layout(
        lang,
        title,
        "",
        html! {
            h1 data-error=(code) { (title) }
            p { (line) }
        },
    )
}

/// The title and explanation of an error code, in the citizen's language.
pub fn message(lang: Lang, code: &str) -> (&'static str, &'static str) {
    match (lang, code) {
        (Lang::Zh, "unknown_campaign") => (
            "未找到该调查",
            "链接可能有误或已失效。请重新扫描现场的二维码。",
        ),
        (Lang::En, "unknown_campaign") => (
            "Survey not found",
            "The link may be wrong or out of date. Please scan the QR code again.",
        ),
        (Lang::Zh, "unknown_unit") => (
            "未找到该单位",
            "链接中的单位不在本次调查范围内。请重新扫描现场的二维码。",
        ),
        (Lang::En, "unknown_unit") => (
            "Unit not found",
            "The unit in this link is not part of this survey. Please scan the QR code again.",
        ),
        (Lang::Zh, "campaign_closed") => {
            ("本次调查已结束", "感谢您的关注。本次调查已停止收集意见。")
        }
        (Lang::En, "campaign_closed") => (
            "This survey has ended",
            "Thank you for your interest. This survey no longer accepts answers.",
        ),
        (Lang::Zh, "campaign_not_open") => {
            ("调查尚未开始", "本次调查尚未开始，请在调查期间内填写。")
        }
        (Lang::En, "campaign_not_open") => (
            "Not open yet",
            "This survey has not started yet; please come back during the survey period.",
        ),
        (Lang::Zh, "body_too_large") => {
            ("提交内容过长", "提交的内容超出了允许的长度，请缩短后重试。")
        }
        (Lang::En, "body_too_large") => (
            "Too much text",
            "What you sent is longer than allowed. Please shorten it and try again.",
        ),
        (Lang::Zh, "body_timeout") => (
            "提交超时",
            "提交的内容未能及时送达，您的回答未被保存。请检查网络后返回上一页重新提交。",
        ),
        (Lang::En, "body_timeout") => (
            "The submission timed out",
            "What you sent did not arrive in time and was not saved. Please check your connection, go back and submit again.",
        ),
        (Lang::Zh, "malformed_body") => ("提交内容无法识别", "请返回问卷页面重新提交。"),
        (Lang::En, "malformed_body") => (
            "The submission could not be read",
            "Please go back to the survey and submit again.",
        ),
        (Lang::Zh, "case_code_unknown") => (
            "回访码无效",
            "未找到该回访码，请核对回访单上的号码后重新输入或扫码。",
        ),
        (Lang::En, "case_code_unknown") => (
            "Code not recognised",
            "This code was not found. Please check the slip and try again.",
        ),
        (Lang::Zh, "case_code_used") => (
            "回访码已使用",
            "该回访码已经用于提交过一份问卷，每个回访码只能使用一次。感谢您的参与。",
        ),
        (Lang::En, "case_code_used") => (
            "Code already used",
            "This code has already been used to answer; each code works once. Thank you.",
        ),
        (Lang::Zh, "device_repeat") => (
            "您已参与过本单位的评价",
            "本设备已经提交过对该单位的评价，每台设备对每个单位只能评价一次。感谢您的参与。",
        ),
        (Lang::En, "device_repeat") => (
            "Already answered",
            "This device has already answered for this unit; each device answers once per unit. Thank you.",
        ),
        (Lang::Zh, "rate_limited") => (
            "提交过于频繁",
            "短时间内来自同一网络的提交过多，请稍等一分钟后再试。您填写的内容不会因此丢失，返回上一页即可重新提交。",
        ),
        (Lang::En, "rate_limited") => (
            "Too many submissions",
            "Too many submissions came from this network just now. Please wait a minute and try again; go back to resubmit your answers.",
        ),
        (Lang::Zh, "quota_full") => (
            "本单位样本已收满",
            "本次调查中该单位的样本已经收齐，感谢您的关注与参与。",
        ),
        (Lang::En, "quota_full") => (
            "This unit's sample is complete",
            "This survey has all the answers it needs for this unit. Thank you.",
        ),
        (Lang::Zh, "not_signed_in") => ("请先登录", "登录已失效或尚未登录，请重新登录管理控制台。"),
        (Lang::En, "not_signed_in") => (
            "Please sign in",
            "Your session has ended or you are not signed in.",
        ),
        (Lang::Zh, "forbidden") => ("无权访问", "您的账户角色无权执行此操作。"),
        (Lang::En, "forbidden") => ("Not allowed", "Your account's role may not do this."),
        (Lang::Zh, "csrf_mismatch") => ("请求已失效", "表单已过期，请返回上一页刷新后重试。"),
        (Lang::En, "csrf_mismatch") => (
            "Request expired",
            "The form has expired; go back, reload and try again.",
        ),
        (Lang::Zh, "too_many_attempts") => ("尝试次数过多", "登录失败次数过多，请 15 分钟后再试。"),
        (Lang::En, "too_many_attempts") => (
            "Too many attempts",
            "Too many failed sign-ins; try again in 15 minutes.",
        ),
        (Lang::Zh, "not_found") => ("页面不存在", "请检查链接是否正确。"),
        (Lang::En, "not_found") => ("Page not found", "Please check the link."),
        (Lang::Zh, _) => (
            "服务暂时不可用",
            "系统出现问题，您的回答未被保存。请稍后再试。",
        ),
        (Lang::En, _) => (
            "Service unavailable",
            "Something went wrong and your answers were not saved. Please try again later.",
        ),
    }
}
