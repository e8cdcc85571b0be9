//! The signed log head each wave was computed from, printed whole, so that a published report
//! is itself a public commitment to its data; an input without a verified head says so.

use super::Context;
use crate::doc::{Block, Span, Tone};
use crate::format;
use crate::lang::Lang;
use crate::tables::{Head, Input, Status};

/// One block per input, in the batch's order. `signature` adds the head's key and signature
/// (for the appendix, where a reader checks them).
pub fn commitments(cx: &Context, signature: bool) -> Vec<Block> {
    cx.batch
        .inputs
        .iter()
        .map(|input| commitment(cx, input, signature))
        .collect()
}

/// "2025 轮数据依据：2025-final 日志签名树头，规模 1,234 条，签名时间 …。", then the root on
/// a line of its own (and, with `signature`, the key and the signature).
fn commitment(cx: &Context, input: &Input, signature: bool) -> Block {
    let v = &input.verification;
    let wave = &input.wave;
    let mut spans = Vec::new();
    let tone = match (v.status, &v.head) {
        (Status::Verified, Some(head)) => {
            spans.push(Span::Text(match cx.lang {
                Lang::Zh => format!(
                    "{wave} 轮数据依据：{} 日志签名树头，{}",
                    head.campaign,
                    size_and_time(cx, head)
                ),
                Lang::En => format!(
                    "Wave {wave} is computed from the signed log head of {}: {}",
                    head.campaign,
                    size_and_time(cx, head)
                ),
            }));
            spans.extend(labelled(cx.t("根哈希：", "Root: "), &head.root));
            if signature {
                spans.extend(labelled(cx.t("公钥：", "Public key: "), &head.public_key));
                spans.extend(labelled(cx.t("签名：", "Signature: "), &head.signature));
            }
            Tone::Good
        }
        (Status::Verified, None) => {
            spans.push(Span::Text(unverified(cx, wave)));
            spans.push(Span::Text(cx.t(
                "inputs.json 未记录其签名树头。",
                "inputs.json records no signed head for it.",
            )));
            Tone::Caution
        }
        (Status::NotApplicable, _) => {
            spans.push(Span::Text(unverified(cx, wave)));
            spans.push(Span::Text(match cx.lang {
                Lang::Zh => format!("来自普通表格（{}），没有签名树头。", input.format),
                Lang::En => format!("a plain table ({}) carries no signed head.", input.format),
            }));
            Tone::Caution
        }
        (Status::Failed | Status::Unverifiable, head) => {
            spans.push(Span::Text(unverified(cx, wave)));
            spans.push(Span::Text(if v.status == Status::Failed {
                cx.t(
                    "数据包未通过校验，仅因批次设置 allow_unverified 而使用。",
                    "the bundle failed verification and is used only because the batch sets allow_unverified.",
                )
            } else {
                cx.t(
                    "数据包无法校验，仅因批次设置 allow_unverified 而使用。",
                    "the bundle could not be verified and is used only because the batch sets allow_unverified.",
                )
            }));
            if let Some(head) = head {
                spans.push(Span::Text(format!(
                    "{}{}",
                    cx.t(
                        "数据包自称的树头（未经证实）：",
                        " The head it claims (unproven): "
                    ),
                    size_and_time(cx, head)
                )));
                spans.extend(labelled(cx.t("根哈希：", "Root: "), &head.root));
            }
            Tone::Alert
        }
    };
    Block::Spans { tone, spans }
}

/// "2025 轮数据未经日志核验：" / "Wave 2025 is not from a verified log: ".
fn unverified(cx: &Context, wave: &str) -> String {
    match cx.lang {
        Lang::Zh => format!("{wave} 轮数据未经日志核验："),
        Lang::En => format!("Wave {wave} is not from a verified log: "),
    }
}

/// "规模 1,234 条，签名时间 2025-11-30T08:00:00.250Z。"
fn size_and_time(cx: &Context, head: &Head) -> String {
    let size = format::count(head.tree_size);
    let signed_at = head.signed_at.clone().unwrap_or_else(|| {
        format!(
            "{} {}",
            head.timestamp_ms,
            cx.t("毫秒（自 1970-01-01 UTC 起）", "ms since 1970-01-01 UTC")
        )
    });
    match cx.lang {
        Lang::Zh => format!("规模 {size} 条，签名时间 {signed_at}。"),
        Lang::En => format!("size {size}, signed at {signed_at}."),
    }
}

/// A hash on a line of its own after its label, in groups of 16 digits.
fn labelled(label: String, hex: &str) -> [Span; 3] {
    [
        Span::Break,
        Span::Text(label),
        Span::Code(format::hex_groups(hex)),
    ]
}
