//! Exports read back and compared with the database: CSV (codes and labels), XLSX, the
//! codebook and the bundle — with Chinese text, 不了解 answers and formula-like open text.

use std::io::Read;

use calamine::{Data, Reader, Xlsx};
use sha2::{Digest, Sha256};

use crate::helpers::{valid_answers, with, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    exports_match_the_database,
    exports_walk_past_a_page_boundary
);

const FORM: &str = "/s/2025-final/market?site=hall";
const SLY: &str = "=HYPERLINK(\"http://evil\",\"点我\")";

async fn submit_three(app: &TestApp) {
    for text in ["执法人员态度很好，谢谢！", SLY, "@SUM(1+1) 不了解"] {
        let token = app.token(FORM).await;
        let fields = with(&valid_answers(&token), "suggestion", &[text]);
        assert_eq!(app.post_form(FORM, &fields).await.status(), 303);
    }
}

fn parse_csv(body: &[u8]) -> Vec<Vec<String>> {
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&body[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

async fn exports_match_the_database(app: TestApp) {
    submit_three(&app).await;
    app.add_user("eva", "evaluator");
    let (client, _) = app.signed_in("eva").await;
    let get = |path: &str| {
        client
            .get(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/export/{path}")))
            .send()
    };

    let csv = get("responses.csv").await.unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let rows = parse_csv(&csv.bytes().await.unwrap());
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(rows.len(), 1 + stored.len());
    let (id, unit, suggestion, documents, duty) = (
        column(&rows, "response_id"),
        column(&rows, "unit_name"),
        column(&rows, "suggestion"),
        column(&rows, "standard_documents"),
        column(&rows, "strict_duty"),
    );
    for (row, (response, answers)) in rows[1..].iter().zip(&stored) {
        assert_eq!(row[id], response.id.to_string());
        assert_eq!(row[unit], "市场监管局");
        let text = &answers.iter().find(|(k, _)| k == "suggestion").unwrap().1;
        let expected = if text.starts_with(['=', '@']) {
            format!("'{text}")
        } else {
            text.clone()
        };
        assert_eq!(
            &row[suggestion], &expected,
            "formula-like text is neutralised"
        );
        assert_eq!(row[documents], "na");
        assert_eq!(row[duty], "4");
    }
    assert_eq!(rows[2][suggestion], format!("'{SLY}"));

    let labelled = parse_csv(
        &get("responses.csv?labels=1")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(labelled[1][documents], "不了解/不适用");
    assert_eq!(labelled[1][duty], "比较满意");
    assert_eq!(
        labelled[1][column(&labelled, "contact_kind")],
        "日常检查;处罚或处理"
    );

    let xlsx = get("responses.xlsx").await.unwrap();
    assert_eq!(xlsx.status(), 200);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.bytes().await.unwrap())).unwrap();
    let sheet = book.worksheet_range("responses").unwrap();
    assert_eq!(sheet.height(), 1 + stored.len());
    let cell = |r: usize, c: usize| match sheet.get((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(cell(0, suggestion), "suggestion");
    assert_eq!(cell(1, documents), "不了解/不适用");
    assert_eq!(cell(2, suggestion), format!("'{SLY}"));
    let codebook = book.worksheet_range("codebook").unwrap();
    assert!(codebook.height() > 100);

    // Parquet: the same rows and codes, the open text exactly as typed (no spreadsheet guard).
    let parquet_bytes = get("responses.parquet")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let reader =
        parquet::file::serialized_reader::SerializedFileReader::new(parquet_bytes).unwrap();
    use parquet::file::reader::FileReader;
    use parquet::record::RowAccessor;
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, rows[0]);
    let read_rows: Vec<parquet::record::Row> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(read_rows.len(), stored.len());
    for (row, csv_row) in read_rows.iter().zip(&rows[1..]) {
        assert_eq!(row.get_string(id).unwrap(), &csv_row[id]);
        assert_eq!(row.get_string(documents).unwrap(), "na");
        assert_eq!(row.get_string(unit).unwrap(), "市场监管局");
    }
    assert_eq!(read_rows[1].get_string(suggestion).unwrap(), SLY);
    let business = column(&rows, "biz_burden");
    assert!(
        read_rows[0].get_string(business).is_err(),
        "an unanswered item is null, not \"\""
    );

    let bundle = get("bundle.zip").await.unwrap();
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bundle.bytes().await.unwrap())).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        bytes
    };
    let responses = read("responses.csv");
    let manifest: serde_json::Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let questionnaire = String::from_utf8(read("questionnaire.toml")).unwrap();
    assert_eq!(questionnaire, minyi_questionnaire::DEFAULT_TOML);
    let neutralised: Vec<Vec<String>> = parse_csv(&responses)
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(survey_server::export::table::neutralise)
                .collect()
        })
        .collect();
    assert_eq!(
        neutralised, rows,
        "the bundle's CSV is the download's, as stored (not neutralised: programs read it)"
    );
    assert!(
        String::from_utf8_lossy(&responses).contains("\"=HYPERLINK("),
        "open text exactly as typed"
    );
    assert_eq!(manifest["responses"], 3);
    assert_eq!(
        manifest["files"]["responses.csv"],
        hex::encode(Sha256::digest(&responses))
    );
    assert_eq!(manifest["strata"][0]["unit"], "market");
    assert_eq!(manifest["strata"][0]["respondent_type"], "resident");
    assert_eq!(manifest["strata"][0]["responses"], 3);
    assert_eq!(
        manifest["questionnaire"]["content_hash"],
        minyi_questionnaire::Questionnaire::default_questionnaire().content_hash()
    );
    assert!(
        read("codebook.csv").starts_with(b"\xEF\xBB\xBFcolumn,type,indicator,question,value,label")
    );

    // Viewers do not get data.
    app.add_user("leader", "viewer");
    let (viewer, _) = app.signed_in("leader").await;
    let refused = viewer
        .get(app.url("/console/campaigns/2025-final/export/responses.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

/// More responses than one database page: every one exported once, in order.
async fn exports_walk_past_a_page_boundary(app: TestApp) {
    let n = survey_server::export::PAGE_SIZE as usize + 7;
    let ctx = app.context(OPEN_CAMPAIGN);
    let mut conn = app.pool.get().unwrap();
    for i in 0..n {
        let new = survey_server::db::responses::NewResponse {
            campaign_id: ctx.campaign.id,
            unit_id: ctx.units[i % ctx.units.len()].id,
            site_id: None,
            questionnaire_version_id: ctx.questionnaire.id,
            idempotency_key: format!("bulk-{i}"),
            respondent_type: Some("visitor".into()),
            lang: "zh-CN".into(),
            form_issued_at: 0,
            submitted_at: 1_000 + i as i64,
            link_check: "unsigned".into(),
            case_code: None,
            contact: None,
            answers: vec![("overall_sat".into(), ((i % 5) + 1).to_string())],
            leaf: survey_server::db::log::LeafContext {
                campaign: OPEN_CAMPAIGN.into(),
                unit: ctx.units[i % ctx.units.len()].code.clone(),
                site: String::new(),
                questionnaire: ctx.questionnaire.content_hash.clone(),
            },
            device_tag: None,
            flags: Vec::new(),
            collection: minyi_integrity::Collection::default(),
        };
        survey_server::db::responses::store(&mut conn, &new).unwrap();
    }
    app.add_user("eva", "evaluator");
    let (client, _) = app.signed_in("eva").await;
    let body = app.export(&client, "responses.csv").await;
    let rows = parse_csv(&body);
    assert_eq!(rows.len(), n + 1);
    let ids: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in id order, no repeats"
    );
    let sat = column(&rows, "overall_sat");
    assert_eq!(rows[n][sat], (((n - 1) % 5) + 1).to_string());
    // The reader wants `Bytes`, as the client hands them over.
    let parquet_bytes = client
        .get(app.url(&format!(
            "/console/campaigns/{OPEN_CAMPAIGN}/export/responses.parquet"
        )))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use parquet::file::reader::FileReader;
    let reader =
        parquet::file::serialized_reader::SerializedFileReader::new(parquet_bytes).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows() as usize, n);
}
