//! The header resolved against the mapping, and every row checked.

use std::collections::HashMap;

use super::columns::{self, Column, Columns};
use super::phone::normalise_mobile;
use super::table::{Row, Table};
use super::{FrameRow, Mapping, Problems, MAX_FIELD_CHARS};

/// The rows of `table`, each problem found pushed to `found` (the rows are only meaningful
/// when none is).
pub(super) fn check(
    table: &Table,
    mapping: &Mapping,
    units: &[&str],
    found: &mut Problems,
) -> Vec<FrameRow> {
    let Some(columns) = Columns::resolve(table, mapping, found) else {
        return Vec::new();
    };
    let mut first_seen: HashMap<String, usize> = HashMap::with_capacity(table.rows.len());
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        if row.cells.len() != table.header.cells.len() {
            let (n, header) = (row.cells.len(), table.header.cells.len());
            found.push(
                Some(row.line),
                None,
                format!("本行有 {n} 列，表头有 {header} 列（某个值里的逗号没有加引号？）"),
                format!("{n} fields but the header has {header} (an unquoted comma in a value?)"),
            );
            continue;
        }
        let mut row_check = RowCheck {
            row,
            found: &mut *found,
            clean: true,
        };
        let id = row_check.id(&columns, &mut first_seen);
        let unit = row_check.unit(&columns, units);
        let strata: Vec<String> = (columns.strata.iter())
            .map(|column| row_check.stratum(column))
            .collect();
        let phone = row_check.phone(&columns);
        let name = (columns.name.as_ref())
            .and_then(|column| row_check.text(column))
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        if row_check.clean {
            out.push(FrameRow {
                line: row.line,
                id,
                unit,
                strata,
                phone,
                name,
            });
        }
    }
    out
}

struct RowCheck<'a> {
    row: &'a Row,
    found: &'a mut Problems,
    clean: bool,
}

impl<'a> RowCheck<'a> {
    fn problem(&mut self, column: &Column, zh: String, en: String) {
        self.clean = false;
        self.found
            .push(Some(self.row.line), Some(&column.header), zh, en);
    }

    /// The trimmed value; `None` once a problem is reported (too long, a control character).
    fn text(&mut self, column: &Column) -> Option<&'a str> {
        let value = self.row.cells[column.index].trim();
        let chars = value.chars().count();
        if chars > MAX_FIELD_CHARS {
            self.problem(
                column,
                format!("内容过长（{chars} 个字符，最多 {MAX_FIELD_CHARS} 个）"),
                format!("too long ({chars} characters, at most {MAX_FIELD_CHARS})"),
            );
            return None;
        }
        if value.chars().any(char::is_control) {
            self.problem(
                column,
                "含有控制字符（如换行符或制表符）".into(),
                "contains a control character (such as a line break or a tab)".into(),
            );
            return None;
        }
        Some(value)
    }

    /// A value that must not be empty; `None` once a problem is reported.
    fn required(&mut self, column: &Column, zh: &str, en: &str) -> Option<&'a str> {
        let value = self.text(column)?;
        if value.is_empty() {
            self.problem(column, zh.into(), en.into());
            return None;
        }
        Some(value)
    }

    fn id(&mut self, columns: &Columns, first_seen: &mut HashMap<String, usize>) -> String {
        let Some(id) = self.required(&columns.id, "编号为空", "the id is empty") else {
            return String::new();
        };
        if let Some(&first) = first_seen.get(id) {
            self.problem(
                &columns.id,
                format!("编号“{id}”重复：第 {first} 行也是这个编号"),
                format!("id {id} is repeated: row {first} has it too"),
            );
        } else {
            first_seen.insert(id.to_owned(), self.row.line);
        }
        id.to_owned()
    }

    fn unit(&mut self, columns: &Columns, units: &[&str]) -> String {
        let Some(unit) = self.required(&columns.unit, "执法单位为空", "the unit is empty")
        else {
            return String::new();
        };
        if !units.contains(&unit) {
            let (zh, en) = columns::listing(units.iter().copied(), 10);
            self.problem(
                &columns.unit,
                format!("“{unit}”不是本次测评的执法单位；测评的单位有：{zh}"),
                format!("{unit} is not a unit of this evaluation; its units are: {en}"),
            );
        }
        unit.to_owned()
    }

    fn stratum(&mut self, column: &Column) -> String {
        (self.required(column, "分层变量的值为空", "the stratum value is empty"))
            .unwrap_or_default()
            .to_owned()
    }

    fn phone(&mut self, columns: &Columns) -> String {
        let Some(raw) = self.text(&columns.phone) else {
            return String::new();
        };
        normalise_mobile(raw).unwrap_or_else(|why| {
            let (zh, en) = why.messages();
            self.problem(&columns.phone, zh.into(), en.into());
            String::new()
        })
    }
}
