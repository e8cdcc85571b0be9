//! Reading a sampling frame file: every format a case register extract arrives in, and every
//! problem one can have, each found and named by file, row and column.

use std::time::{Duration, Instant};

use minyi_fieldwork::frame_file::{
    read_frame, Frame, FrameRow, Mapping, Problem, MAX_FRAME_BYTES, MAX_PROBLEMS,
};

const UNITS: &[&str] = &["市场监管局", "城管局"];

fn mapping() -> Mapping {
    Mapping {
        id: "案件编号".into(),
        unit: "执法单位".into(),
        strata: vec!["案件类型".into()],
        phone: "手机号".into(),
        name: Some("姓名".into()),
    }
}

const HEADER: &str = "案件编号,执法单位,案件类型,手机号,姓名";

fn read_csv(text: &str) -> Result<Frame, Vec<Problem>> {
    read_frame("名单.csv", text.as_bytes(), &mapping(), UNITS)
}

fn problems(text: &str) -> Vec<Problem> {
    read_csv(text).expect_err("the frame has problems")
}

/// The data rows under the standard header.
fn rows(lines: &[&str]) -> String {
    format!("{HEADER}\n{}\n", lines.join("\n"))
}

/// Each problem as (row, column, a part of the English message); the Chinese message must be
/// there too.
fn check(found: &[Problem], expected: &[(Option<usize>, Option<&str>, &str)]) {
    let got: Vec<String> = found.iter().map(|p| p.to_string()).collect();
    assert_eq!(found.len(), expected.len(), "{got:#?}");
    for (problem, (row, column, fragment)) in found.iter().zip(expected) {
        assert_eq!(problem.file, "名单.csv");
        assert_eq!(problem.row, *row, "{problem}");
        assert_eq!(problem.column.as_deref(), *column, "{problem}");
        assert!(problem.message_en.contains(fragment), "{problem}");
        assert!(!problem.message_zh.is_empty(), "{problem}");
    }
}

fn check_one(text: &str, row: Option<usize>, column: Option<&str>, fragment: &str) {
    check(&problems(text), &[(row, column, fragment)]);
}

fn row(
    line: usize,
    id: &str,
    unit: &str,
    stratum: &str,
    phone: &str,
    name: Option<&str>,
) -> FrameRow {
    FrameRow {
        line,
        id: id.into(),
        unit: unit.into(),
        strata: vec![stratum.into()],
        phone: phone.into(),
        name: name.map(Into::into),
    }
}

#[test]
fn a_clean_csv_reads_into_trimmed_rows_with_normalised_phones() {
    let frame = read_csv(&rows(&[
        "2025001, 市场监管局 ,行政处罚,138 1234 5678,张三",
        "2025002,城管局,行政许可,+86-139-1234-5678,",
        "\"2025003\",城管局,\"行政处罚\",008613712345678,\"欧阳, 娜娜\"",
    ]))
    .unwrap();
    assert_eq!(frame.strata_vars, ["案件类型"]);
    assert_eq!(
        frame.rows,
        [
            row(
                2,
                "2025001",
                "市场监管局",
                "行政处罚",
                "13812345678",
                Some("张三")
            ),
            row(3, "2025002", "城管局", "行政许可", "13912345678", None),
            row(
                4,
                "2025003",
                "城管局",
                "行政处罚",
                "13712345678",
                Some("欧阳, 娜娜")
            ),
        ]
    );
}

#[test]
fn columns_are_found_by_name_in_any_order_and_others_are_ignored() {
    let text = "备注,手机号,案件类型,执法单位,案件编号,立案日期\n无,13812345678,处罚,城管局,7,2025-01-01\n";
    let mapping = Mapping {
        strata: vec!["案件类型".into(), "立案日期".into()],
        name: None,
        ..mapping()
    };
    let frame = read_frame("f.csv", text.as_bytes(), &mapping, UNITS).unwrap();
    assert_eq!(frame.strata_vars, ["案件类型", "立案日期"]);
    assert_eq!(frame.rows[0].strata, ["处罚", "2025-01-01"]);
    assert_eq!(frame.rows[0].name, None);
}

#[test]
fn a_utf8_bom_and_crlf_line_ends_are_read() {
    let text = format!("\u{feff}{HEADER}\r\n1,城管局,处罚,13812345678,张三\r\n");
    let frame = read_csv(&text).unwrap();
    assert_eq!(
        frame.rows,
        [row(2, "1", "城管局", "处罚", "13812345678", Some("张三"))]
    );
}

#[test]
fn a_csv_saved_by_excel_in_china_is_decoded_from_gbk() {
    let text = rows(&[
        "1,城管局,处罚,13812345678,张三",
        "2,市场监管局,许可,13912345678,李四",
    ]);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the test needs bytes that are not UTF-8"
    );
    let frame = read_frame("名单.csv", &gbk, &mapping(), UNITS).unwrap();
    assert_eq!(
        frame.rows[1],
        row(3, "2", "市场监管局", "许可", "13912345678", Some("李四"))
    );
}

#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them() {
    // A blank line is a row; a value on two lines is one row (and a control character).
    let text = rows(&[
        "1,城管局,处罚,13812345678,张三",
        "",
        "2,城管局,\"处\n罚\",13812345679,李四",
        "2,城管局,处罚,138,王五",
    ]);
    check(
        &problems(&text),
        &[
            (Some(4), Some("案件类型"), "control character"),
            (
                Some(5),
                Some("案件编号"),
                "id 2 is repeated: row 4 has it too",
            ),
            (Some(5), Some("手机号"), "not a mobile number"),
        ],
    );
}

#[test]
fn rows_are_numbered_the_same_with_crlf_line_ends() {
    let text = format!(
        "{HEADER}\r\n1,城管局,处罚,13812345678,张三\r\n\r\n2,城管局,\"处\r\n罚\",13812345679,李四\r\n3,城管局,处罚,138,王五\r\n"
    );
    check(
        &problems(&text),
        &[
            (Some(4), Some("案件类型"), "control character"),
            (Some(5), Some("手机号"), "not a mobile number"),
        ],
    );
}

#[test]
fn entirely_blank_rows_are_left_out() {
    let frame = read_csv(&rows(&[",,,,", "1,城管局,处罚,13812345678,张三", " , ,,,"])).unwrap();
    assert_eq!(frame.rows.len(), 1);
    assert_eq!(frame.rows[0].line, 3);
}

#[test]
fn an_xlsx_frame_reads_numbers_dates_and_strings_as_text() {
    let bytes = include_bytes!("fixtures/frame.xlsx");
    let mapping = Mapping {
        strata: vec!["案件类型".into(), "立案日期".into()],
        ..mapping()
    };
    let frame = read_frame("名单.xlsx", bytes, &mapping, UNITS).unwrap();
    let row =
        |line, id: &str, unit: &str, strata: [&str; 2], phone: &str, name: Option<&str>| FrameRow {
            strata: strata.map(String::from).to_vec(),
            ..row(line, id, unit, "", phone, name)
        };
    assert_eq!(
        frame.rows,
        [
            row(
                2,
                "2025001",
                "市场监管局",
                ["行政处罚", "2025-01-01"],
                "13812345678",
                Some("张三")
            ),
            row(
                3,
                "2025002",
                "城管局",
                ["行政许可", "2025-01-02 12:00:00"],
                "13912345678",
                Some("李四")
            ),
            row(
                4,
                "2025003",
                "市场监管局",
                ["行政处罚", "true"],
                "13912345679",
                None
            ),
            row(
                6,
                "2025004",
                "城管局",
                ["行政处罚", "3.5"],
                "13700000001",
                Some("王五")
            ),
        ]
    );
}

#[test]
fn xlsx_problems_name_the_sheets_own_rows_and_columns() {
    let bytes = include_bytes!("fixtures/problems.xlsx");
    let mapping = Mapping {
        id: "编号".into(),
        unit: "单位".into(),
        strata: vec!["类型".into()],
        phone: "手机".into(),
        name: None,
    };
    let found = read_frame("名单.xlsx", bytes, &mapping, UNITS).unwrap_err();
    let got: Vec<(Option<usize>, Option<&str>)> =
        found.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(
        got,
        [
            (Some(5), Some("编号")),
            (Some(5), Some("手机")),
            (Some(6), Some("单位")),
            (Some(6), Some("类型")),
        ],
        "{found:#?}"
    );
    assert!(found[0].message_en.contains("row 4"));
    assert!(found[1].message_en.contains("landline"));
    assert!(found[2].message_en.contains("税务局 is not a unit"));
}

#[test]
fn an_empty_file_is_refused() {
    for text in ["", "\u{feff}", "\n\n", " , ,\n"] {
        check_one(text, None, None, "the file is empty");
    }
}

#[test]
fn a_header_without_rows_is_refused() {
    check_one(&format!("{HEADER}\n"), None, None, "no data rows");
    check_one(&format!("{HEADER}\n,,,,\n"), None, None, "no data rows");
}

#[test]
fn a_file_without_a_header_row_is_refused_without_showing_its_data() {
    let found = problems("1,城管局,处罚,13812345678,张三\n2,城管局,处罚,13912345678,李四\n");
    check(
        &found,
        &[(Some(1), None, "looks like data, not column names")],
    );
    assert_no_phone(&found, &["13812345678"]);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let bytes = vec![b'x'; MAX_FRAME_BYTES + 1];
    let found = read_frame("名单.csv", &bytes, &mapping(), UNITS).unwrap_err();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message_en,
        "the file is 20.0 MB, over the limit of 20.0 MB"
    );
    assert!(found[0].message_zh.contains("超过上限"));
}

#[test]
fn every_missing_column_is_named_with_the_columns_the_file_has() {
    let found = problems("编号,单位,案件类型,电话\n1,城管局,处罚,13812345678\n");
    check(
        &found,
        &[
            (
                Some(1),
                Some("案件编号"),
                "the file has no such column (the id)",
            ),
            (
                Some(1),
                Some("执法单位"),
                "the file has no such column (the unit)",
            ),
            (Some(1), Some("手机号"), "no such column (the phone number)"),
            (Some(1), Some("姓名"), "no such column (the name)"),
        ],
    );
    for problem in &found {
        assert!(problem
            .message_en
            .ends_with("its columns are: 编号, 单位, 案件类型, 电话"));
        assert!(problem
            .message_zh
            .ends_with("文件的列有：编号、单位、案件类型、电话"));
    }
}

#[test]
fn a_mapping_without_a_column_for_a_field_is_refused() {
    let mapping = Mapping {
        phone: " ".into(),
        ..mapping()
    };
    let found = read_frame(
        "名单.csv",
        rows(&["1,城管局,处罚,13812345678,张三"]).as_bytes(),
        &mapping,
        UNITS,
    )
    .unwrap_err();
    check(
        &found,
        &[(
            None,
            None,
            "the mapping names no column for the phone number",
        )],
    );
}

#[test]
fn a_repeated_column_name_is_refused_naming_its_columns() {
    check_one(
        "案件编号,执法单位,案件类型,手机号,姓名,备注,备注\n1,城管局,处罚,13812345678,张三,,\n",
        Some(1),
        Some("备注"),
        "repeated, in columns F, G",
    );
    // A repeated mapped column is ambiguous: the rows are not read.
    check_one(
        "案件编号,执法单位,案件类型,手机号,姓名,手机号\n,城管局,处罚,1,张三,2\n",
        Some(1),
        Some("手机号"),
        "repeated, in columns D, F",
    );
}

#[test]
fn an_empty_or_repeated_id_is_refused_naming_both_rows() {
    check(
        &problems(&rows(&[
            "A1,城管局,处罚,13812345678,",
            " ,城管局,处罚,13812345679,",
            "A1,城管局,处罚,13812345670,",
            "A1,城管局,处罚,13812345671,",
        ])),
        &[
            (Some(3), Some("案件编号"), "the id is empty"),
            (
                Some(4),
                Some("案件编号"),
                "id A1 is repeated: row 2 has it too",
            ),
            (
                Some(5),
                Some("案件编号"),
                "id A1 is repeated: row 2 has it too",
            ),
        ],
    );
}

#[test]
fn a_unit_must_be_one_of_the_evaluations_units() {
    check(
        &problems(&rows(&[
            "1,,处罚,13812345678,",
            "2,税务局,处罚,13812345679,",
        ])),
        &[
            (Some(2), Some("执法单位"), "the unit is empty"),
            (
                Some(3),
                Some("执法单位"),
                "税务局 is not a unit of this evaluation; its units are: 市场监管局, 城管局",
            ),
        ],
    );
}

#[test]
fn a_long_list_of_units_is_cut_short() {
    let names: Vec<String> = (1..=25).map(|i| format!("单位{i}")).collect();
    let units: Vec<&str> = names.iter().map(String::as_str).collect();
    let text = rows(&["1,城管局,处罚,13812345678,"]);
    let found = read_frame("名单.csv", text.as_bytes(), &mapping(), &units).unwrap_err();
    assert!(
        found[0].message_en.ends_with("单位9, 单位10 and 15 more"),
        "{}",
        found[0]
    );
    assert!(
        found[0].message_zh.ends_with("单位10 等，共 25 个"),
        "{}",
        found[0]
    );
}

#[test]
fn an_empty_stratum_value_is_refused() {
    check_one(
        &rows(&["1,城管局,  ,13812345678,"]),
        Some(2),
        Some("案件类型"),
        "stratum value is empty",
    );
}

#[test]
fn phone_problems_never_show_the_number() {
    let bad = [
        "010-12345678",
        "1381234567",
        "1.38123E+10",
        "23812345678",
        "138123456789",
    ];
    let lines: Vec<String> = (bad.iter().enumerate())
        .map(|(i, phone)| format!("{i},城管局,处罚,{phone},"))
        .chain(["9,城管局,处罚,,".to_owned()])
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let found = problems(&rows(&lines));
    check(
        &found,
        &[
            (Some(2), Some("手机号"), "landline, and only mobile numbers"),
            (Some(3), Some("手机号"), "not a mobile number (11 digits"),
            (Some(4), Some("手机号"), "scientific notation"),
            (Some(5), Some("手机号"), "not a mobile number (11 digits"),
            (Some(6), Some("手机号"), "not a mobile number (11 digits"),
            (Some(7), Some("手机号"), "the phone number is empty"),
        ],
    );
    assert_no_phone(&found, &["12345678", "1381234567", "1.38123", "2381234567"]);
}

#[test]
fn a_value_too_long_or_with_a_control_character_is_refused_without_being_shown() {
    let long = "长".repeat(201);
    let text = rows(&[
        &format!("1,城管局,处罚,13812345678,{long}"),
        "2,城管局,处罚,\"13812345679\t\",张三",
        "3,城管局,\"处\u{7}罚\",13812345670,张三",
        &format!("4,城管局,处罚,13812345671,{}", "长".repeat(200)),
    ]);
    let found = problems(&text);
    check(
        &found,
        &[
            (
                Some(2),
                Some("姓名"),
                "too long (201 characters, at most 200)",
            ),
            (Some(4), Some("案件类型"), "control character"),
        ],
    );
    // A tab at the end of a value is trimmed away like a space; inside a value it is refused.
    check_one(
        &rows(&["2,城管局,处罚,\"138\t12345679\",张三"]),
        Some(2),
        Some("手机号"),
        "control character",
    );
    assert!(found.iter().all(|p| !p.to_string().contains("长长")));
}

#[test]
fn a_csv_row_of_the_wrong_width_is_refused() {
    check(
        &problems(&rows(&[
            "1,城管局,处罚,13812345678,张,三",
            "2,城管局,处罚,13812345679",
        ])),
        &[
            (Some(2), None, "6 fields but the header has 5"),
            (Some(3), None, "4 fields but the header has 5"),
        ],
    );
}

#[test]
fn every_problem_of_every_row_is_reported_at_once() {
    let found = problems(&rows(&[
        ",税务局,,0571-87654321,",
        "1,城管局,处罚,13812345678,张三",
        "1,,处罚,1.38E+10,张三",
    ]));
    check(
        &found,
        &[
            (Some(2), Some("案件编号"), "empty"),
            (Some(2), Some("执法单位"), "税务局 is not a unit"),
            (Some(2), Some("案件类型"), "empty"),
            (Some(2), Some("手机号"), "landline"),
            (Some(4), Some("案件编号"), "repeated: row 3"),
            (Some(4), Some("执法单位"), "empty"),
            (Some(4), Some("手机号"), "scientific notation"),
        ],
    );
}

#[test]
fn the_list_of_problems_stops_at_the_cap_and_says_how_many_more() {
    let lines: Vec<String> = (0..300).map(|i| format!("{i},城管局,处罚,123,")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let found = problems(&rows(&lines));
    assert_eq!(found.len(), MAX_PROBLEMS + 1);
    assert_eq!(found[MAX_PROBLEMS - 1].row, Some(201));
    let last = &found[MAX_PROBLEMS];
    assert_eq!((last.row, last.column.as_deref()), (None, None));
    assert_eq!(last.message_en, "and 100 more problems not listed");
    assert_eq!(last.message_zh, "另有 100 个问题未列出");
}

#[test]
fn files_that_are_not_a_frame_are_refused_with_what_to_do() {
    let refused = |name: &str, bytes: &[u8], fragment: &str| {
        let found = read_frame(name, bytes, &mapping(), UNITS).unwrap_err();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message_en.contains(fragment), "{}", found[0]);
        assert_eq!((found[0].row, &found[0].file), (None, &name.to_owned()));
    };
    refused(
        "名单.xls",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest",
        "save it as .xlsx or CSV",
    );
    refused(
        "名单.xlsx",
        HEADER.as_bytes(),
        "named as an Excel workbook but is not one",
    );
    refused(
        "名单.xlsx",
        b"PK\x03\x04 not really a zip",
        "the Excel workbook cannot be read",
    );
    refused("名单.csv", b"\xFF\xFEa\x00,\x00", "UTF-16");
    refused(
        "名单.csv",
        b"\x81\x30\xFF\xFF,\x80\n",
        "neither UTF-8 nor GBK/GB18030",
    );
}

#[test]
fn a_problem_reads_as_file_row_column_and_message_in_either_language() {
    let found = problems(&rows(&["1,城管局,处罚,0571-87654321,"]));
    assert_eq!(
        found[0].to_string(),
        "名单.csv: row 2, column 手机号: not a mobile number: this looks like a landline, and \
         only mobile numbers can be used"
    );
    assert_eq!(
        found[0].to_string_zh(),
        "名单.csv：第 2 行，“手机号”列：不是手机号码：看起来是固定电话，只能使用手机号码"
    );
    assert_eq!(problems("")[0].to_string(), "名单.csv: the file is empty");
}

#[test]
fn ten_thousand_rows_are_read_quickly() {
    let mut text = String::from(HEADER);
    for i in 0..10_000 {
        let unit = UNITS[i % 2];
        text.push_str(&format!(
            "\n2025{i:05},{unit},类型{},139{i:08},当事人{i}",
            i % 7
        ));
    }
    let started = Instant::now();
    let frame = read_csv(&text).unwrap();
    let took = started.elapsed();
    assert_eq!(frame.rows.len(), 10_000);
    assert_eq!(frame.rows[9_999].line, 10_001);
    // A release build takes a few milliseconds; the bound leaves room for an unoptimised test
    // build on a busy machine.
    assert!(took < Duration::from_secs(1), "{took:?}");
}

fn assert_no_phone(found: &[Problem], digits: &[&str]) {
    for problem in found {
        for shown in [
            problem.to_string(),
            problem.to_string_zh(),
            format!("{problem:?}"),
        ] {
            for d in digits {
                assert!(!shown.contains(d), "{shown} shows {d}");
            }
        }
    }
}
