use minyi_fieldwork::sms::{gsm7_units, segments, Encoding, Segments};

fn check(text: &str, encoding: Encoding, chars: usize, per_segment: usize, count: usize) {
    let expected = Segments {
        encoding,
        chars,
        per_segment,
        segments: count,
    };
    assert_eq!(
        segments(text),
        expected,
        "{} chars of {:?}…",
        text.chars().count(),
        text.chars().next()
    );
}

#[test]
fn empty_text_takes_no_segment() {
    check("", Encoding::Gsm7, 0, 160, 0);
}

#[test]
fn gsm7_takes_160_single_and_153_per_part() {
    check("Hello", Encoding::Gsm7, 5, 160, 1);
    check(&"a".repeat(160), Encoding::Gsm7, 160, 160, 1);
    check(&"a".repeat(161), Encoding::Gsm7, 161, 153, 2);
    check(&"a".repeat(306), Encoding::Gsm7, 306, 153, 2); // 2 · 153
    check(&"a".repeat(307), Encoding::Gsm7, 307, 153, 3);
    // é, Ç, £ and @ are in the basic set.
    check("é Ç £ @", Encoding::Gsm7, 7, 160, 1);
}

#[test]
fn extension_characters_count_two_and_are_not_split() {
    check("{}[]~^\\|€", Encoding::Gsm7, 18, 160, 1);
    // 159 + 2 = 161 septets: two segments.
    check(
        &format!("{}€", "a".repeat(159)),
        Encoding::Gsm7,
        161,
        153,
        2,
    );
    // 152 + 2 + 152 = 306 = 2 · 153, but the € would straddle septets 153–154: segment 1 holds
    // 152, segment 2 holds € + 151, segment 3 the last a.
    let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
    check(&text, Encoding::Gsm7, 306, 153, 3);
}

#[test]
fn chinese_takes_70_single_and_67_per_part() {
    check("您好", Encoding::Ucs2, 2, 70, 1);
    check(&"评".repeat(70), Encoding::Ucs2, 70, 70, 1);
    check(&"评".repeat(71), Encoding::Ucs2, 71, 67, 2);
    check(&"评".repeat(134), Encoding::Ucs2, 134, 67, 2);
    check(&"评".repeat(135), Encoding::Ucs2, 135, 67, 3);
}

#[test]
fn one_character_outside_gsm7_makes_the_whole_text_ucs2() {
    // 6 Latin + 2 Chinese = 8 units; a lower-case ç and a backtick are not GSM-7 either.
    check("Hello 您好", Encoding::Ucs2, 8, 70, 1);
    check("ç", Encoding::Ucs2, 1, 70, 1);
    check("`", Encoding::Ucs2, 1, 70, 1);
    let invitation = "【某区司法局】您好！诚邀您对本局执法工作评价，约3分钟：https://e.example.cn/s/Ab3 拒收请回复R";
    // 【某区司法局】 7 + 您好！ 3 + 诚邀您对本局执法工作评价， 13 + 约3分钟： 5
    // + the 26-character link + a space + 拒收请回复R 6 = 61 units.
    check(invitation, Encoding::Ucs2, 61, 70, 1);
}

#[test]
fn an_emoji_counts_two_utf16_units_and_is_not_split() {
    check("😀", Encoding::Ucs2, 2, 70, 1);
    check(&format!("{}😀", "评".repeat(68)), Encoding::Ucs2, 70, 70, 1);
    check(&format!("{}😀", "评".repeat(69)), Encoding::Ucs2, 71, 67, 2);
    // 66 + 2 + 66 = 134 = 2 · 67, but the surrogate pair would straddle units 67–68.
    let text = format!("{}😀{}", "评".repeat(66), "评".repeat(66));
    check(&text, Encoding::Ucs2, 134, 67, 3);
}

#[test]
fn the_gsm7_tables_have_127_and_10_characters() {
    // GSM 03.38: 128 basic positions less the escape; the extension table's form feed
    // ^ { } \ [ ~ ] | €.
    let count = |units| {
        (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|&c| gsm7_units(c) == Some(units))
            .count()
    };
    assert_eq!((count(1), count(2)), (127, 10));
    assert_eq!(gsm7_units('\u{1B}'), None);
    assert_eq!(gsm7_units('€'), Some(2));
    assert_eq!(gsm7_units('¤'), Some(1));
}
