//! Mainland mobile numbers, the only numbers fieldwork can call and text.

/// Why a value is not a mobile number. Neither the variant nor its messages hold the value:
/// a phone number is personal information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMobile {
    Empty,
    /// An area code and a local number (or a local number alone).
    Landline,
    /// `1.38123E+10`: Excel saved a number column as displayed, and the last digits are lost.
    ScientificNotation,
    Malformed,
}

impl NotMobile {
    /// The message in Chinese and in English.
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            NotMobile::Empty => ("手机号为空", "the phone number is empty"),
            NotMobile::Landline => (
                "不是手机号码：看起来是固定电话，只能使用手机号码",
                "not a mobile number: this looks like a landline, and only mobile numbers can be \
                 used",
            ),
            NotMobile::ScientificNotation => (
                "号码被 Excel 存成了科学计数法，后几位已经丢失：请把该列设为“文本”格式，重新填入号码",
                "the number was saved by Excel in scientific notation and its last digits are \
                 lost: format the column as text and enter the numbers again",
            ),
            NotMobile::Malformed => (
                "不是手机号码（应为 11 位数字，以 13 至 19 开头）",
                "not a mobile number (11 digits beginning 13 to 19)",
            ),
        }
    }
}

/// A mainland mobile number as 11 ASCII digits: spaces and dashes are dropped, then a
/// leading `+86`, `0086` or `86`; what is left must be 11 digits beginning `1[3-9]`.
/// Full-width digits (１３８…), as some input methods type them, count as digits.
pub fn normalise_mobile(raw: &str) -> Result<String, NotMobile> {
    let compact: String = (raw.chars())
        .filter(|&c| !c.is_whitespace() && !is_dash(c))
        .map(ascii_digit)
        .collect();
    if compact.is_empty() {
        return Err(NotMobile::Empty);
    }
    if is_scientific(&compact) {
        return Err(NotMobile::ScientificNotation);
    }
    let national = (compact.strip_prefix("+86"))
        .or_else(|| compact.strip_prefix("0086"))
        .or_else(|| compact.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&compact);
    let bytes = national.as_bytes();
    if bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
    {
        return Ok(national.to_owned());
    }
    if is_landline(&compact) {
        return Err(NotMobile::Landline);
    }
    Err(NotMobile::Malformed)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '–' | '—' | '－')
}

fn ascii_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        _ => c,
    }
}

/// `1.38123E+10`, `1.3812345678e10`.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    mantissa_ok && digits(exponent)
}

/// `010-12345678`, `(0571) 8765 4321`, `87654321`: an area code beginning 0 and a local
/// number of 7 or 8 digits, or the local number alone.
fn is_landline(compact: &str) -> bool {
    let digits: String = compact.chars().filter(|&c| c != '(' && c != ')').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let n = digits.len();
    (7..=8).contains(&n)
        || (digits.starts_with('0') && !digits.starts_with("00") && (10..=12).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: Result<&str, NotMobile>) {
        assert_eq!(
            normalise_mobile(raw),
            expected.map(str::to_owned),
            "{raw:?}"
        );
    }

    #[test]
    fn mobile_numbers_in_the_ways_people_write_them() {
        for raw in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+86-13812345678",
            "008613812345678",
            "8613812345678",
            " 13812345678 ",
            "１３８１２３４５６７８",
        ] {
            check(raw, Ok("13812345678"));
        }
        check("19912345678", Ok("19912345678"));
    }

    #[test]
    fn what_is_not_a_mobile_number() {
        check("", Err(NotMobile::Empty));
        check(" - ", Err(NotMobile::Empty));
        check("010-12345678", Err(NotMobile::Landline));
        check("(0571) 8765 4321", Err(NotMobile::Landline));
        check("0571-8765432", Err(NotMobile::Landline));
        check("87654321", Err(NotMobile::Landline));
        check("1.38123E+10", Err(NotMobile::ScientificNotation));
        check("1.3812345678e10", Err(NotMobile::ScientificNotation));
        check("12812345678", Err(NotMobile::Malformed));
        check("1381234567", Err(NotMobile::Malformed));
        check("138123456789", Err(NotMobile::Malformed));
        check("1381234567x", Err(NotMobile::Malformed));
        check("+8513812345678", Err(NotMobile::Malformed));
        check("86138123456", Err(NotMobile::Malformed));
        check("138.1234.5678", Err(NotMobile::Malformed));
    }
}
