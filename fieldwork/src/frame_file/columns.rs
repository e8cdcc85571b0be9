//! The header row resolved against the mapping: every mapped column found exactly once.

use std::collections::HashMap;

use super::phone::normalise_mobile;
use super::table::Table;
use super::{Mapping, Problems};

/// A mapped column: its header as written and its index in the row.
pub(super) struct Column {
    pub header: String,
    pub index: usize,
}

pub(super) struct Columns {
    pub id: Column,
    pub unit: Column,
    pub strata: Vec<Column>,
    pub phone: Column,
    pub name: Option<Column>,
}

impl Columns {
    /// The mapped columns, or `None` with every problem of the header pushed to `found`.
    pub fn resolve(table: &Table, mapping: &Mapping, found: &mut Problems) -> Option<Columns> {
        let line = table.header.line;
        let header: Vec<&str> = table.header.cells.iter().map(|c| c.trim()).collect();
        if header.iter().any(|cell| normalise_mobile(cell).is_ok()) {
            found.push(
                Some(line),
                None,
                "这一行看起来是数据而不是列名：第一行应当是列名（表头）".into(),
                "this row looks like data, not column names: the first row must name the columns"
                    .into(),
            );
            return None;
        }
        let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, name) in header.iter().enumerate() {
            at.entry(name).or_default().push(index);
        }
        for (index, name) in header.iter().enumerate() {
            let places = &at[name];
            if !name.is_empty() && places.len() > 1 && places[0] == index {
                let letters: Vec<String> = (places.iter())
                    .map(|&i| column_letters(table.first_column + i))
                    .collect();
                found.push(
                    Some(line),
                    Some(name),
                    format!("列名重复：第 {} 列都叫这个名字", letters.join("、")),
                    format!(
                        "the column name is repeated, in columns {}",
                        letters.join(", ")
                    ),
                );
            }
        }
        let mut find = |name: &str, zh: &str, en: &str| -> Option<Column> {
            let name = name.trim();
            if name.is_empty() {
                found.push(
                    None,
                    None,
                    format!("映射中没有为{zh}指定列"),
                    format!("the mapping names no column for the {en}"),
                );
                return None;
            }
            match at.get(name).map(Vec::as_slice) {
                Some(&[index]) => Some(Column {
                    header: name.to_owned(),
                    index,
                }),
                Some(_) => None,
                None => {
                    let (zh_list, en_list) = listing(header.iter().map(|h| shown(h)), 30);
                    found.push(
                        Some(line),
                        Some(name),
                        format!("文件中没有这一列（{zh}）；文件的列有：{zh_list}"),
                        format!(
                            "the file has no such column (the {en}); its columns are: {en_list}"
                        ),
                    );
                    None
                }
            }
        };
        let id = find(&mapping.id, "编号", "id");
        let unit = find(&mapping.unit, "执法单位", "unit");
        let strata: Vec<Option<Column>> = (mapping.strata.iter())
            .map(|name| find(name, "分层变量", "stratification variable"))
            .collect();
        let phone = find(&mapping.phone, "手机号", "phone number");
        let name = (mapping.name.as_deref())
            .filter(|name| !name.trim().is_empty())
            .map(|name| find(name, "姓名", "name"));
        Some(Columns {
            id: id?,
            unit: unit?,
            strata: strata.into_iter().collect::<Option<_>>()?,
            phone: phone?,
            name: match name {
                None => None,
                Some(column) => Some(column?),
            },
        })
    }
}

/// A header cell as it may appear in a message: shortened, and hidden when it holds a run
/// of seven digits or more (a file without a header row has data there, maybe a phone
/// number).
fn shown(header: &str) -> String {
    let mut run = 0;
    for c in header.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 7 {
            return "(…)".into();
        }
    }
    if header.chars().count() > 30 {
        header.chars().take(29).chain(['…']).collect()
    } else {
        header.to_owned()
    }
}

/// The first `most` non-empty items, in Chinese and in English, with a count of the rest.
pub(super) fn listing(
    items: impl Iterator<Item = impl AsRef<str>>,
    most: usize,
) -> (String, String) {
    let items: Vec<String> = (items.map(|item| item.as_ref().to_owned()))
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() {
        return ("（无）".into(), "(none)".into());
    }
    let shown = &items[..items.len().min(most)];
    let rest = items.len() - shown.len();
    let (mut zh, mut en) = (shown.join("、"), shown.join(", "));
    if rest > 0 {
        zh.push_str(&format!(" 等，共 {} 个", items.len()));
        en.push_str(&format!(" and {rest} more"));
    }
    (zh, en)
}

/// Spreadsheet column letters: 0 is A, 25 is Z, 26 is AA.
fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.iter().rev().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_in_a_spreadsheet() {
        for (index, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ")] {
            assert_eq!(column_letters(index), letters);
        }
    }

    #[test]
    fn digits_in_a_header_are_not_shown() {
        assert_eq!(shown("13812345678"), "(…)");
        assert_eq!(shown("案件编号"), "案件编号");
        assert_eq!(shown(&"长".repeat(40)).chars().count(), 30);
    }
}
