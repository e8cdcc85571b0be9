//! How many SMS segments a text takes (FIELDWORK.md §5), to cost an invitation before it is
//! sent. GSM-7 (the GSM 03.38 basic character set) when every character has a GSM-7 form,
//! else UCS-2 — which every Chinese text is.

use serde::Serialize;

/// The GSM 03.38 basic character set, in table order, without the escape (0x1B).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
    ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The GSM 03.38 extension table: each is sent as the escape plus one septet.
const GSM7_EXTENSION: &str = "\x0C^{}\\[~]|€";

/// The encoding a text is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// 7-bit GSM: 160 septets in a single message, 153 per segment of a multipart one.
    Gsm7,
    /// UCS-2 (UTF-16 on the wire): 70 code units single, 67 per segment multipart.
    Ucs2,
}

/// A text's size as an SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segments {
    /// The encoding.
    pub encoding: Encoding,
    /// The length in the encoding's units: GSM-7 septets (an extension character counts 2)
    /// or UTF-16 code units (a character outside the BMP, such as an emoji, counts 2).
    pub chars: usize,
    /// Units per segment: 160 or 70 for a single message, 153 or 67 for a multipart one.
    pub per_segment: usize,
    /// Segments sent, 0 for an empty text.
    pub segments: usize,
}

/// The septets of `c` in GSM-7: 1 in the basic set, 2 in the extension table, `None` if it
/// has no GSM-7 form.
pub fn gsm7_units(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The segments of `text`. A text that fits one message is one segment (160 septets or 70
/// UTF-16 units); a longer one is split into segments of at most 153 or 67 units, filled in
/// order, a two-unit character (a GSM-7 escape pair, a UTF-16 surrogate pair) never split
/// across two segments — so a split can cost one segment more than `ceil(chars / 67)`.
pub fn segments(text: &str) -> Segments {
    let gsm7: Option<Vec<usize>> = text.chars().map(gsm7_units).collect();
    let (encoding, units, single, multi) = match gsm7 {
        Some(units) => (Encoding::Gsm7, units, 160, 153),
        None => (
            Encoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
            70,
            67,
        ),
    };
    let chars: usize = units.iter().sum();
    let (per_segment, segments) = match chars {
        0 => (single, 0),
        n if n <= single => (single, 1),
        _ => (multi, pack(&units, multi)),
    };
    Segments {
        encoding,
        chars,
        per_segment,
        segments,
    }
}

/// Segments of at most `capacity` units, filled in order without splitting a character.
fn pack(units: &[usize], capacity: usize) -> usize {
    let (segments, _) = units.iter().fold((1, 0), |(segments, filled), &unit| {
        if filled + unit > capacity {
            (segments + 1, unit)
        } else {
            (segments, filled + unit)
        }
    });
    segments
}
