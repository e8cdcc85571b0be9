//! A sampling frame uploaded by an admin: a case register extract (the parties, 当事人, of
//! enforcement cases) as CSV or XLSX, read through a column mapping into checked rows.
//!
//! Nothing is returned unless the whole file is clean: [`read_frame`] collects every problem,
//! each naming the file, the spreadsheet row (the header is row 1) and the column header, in
//! Chinese and English. A problem never repeats a phone number or a name (personal
//! information); it may repeat a case id or a unit, which are not.

mod columns;
mod phone;
mod rows;
mod table;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use phone::{normalise_mobile, NotMobile};

/// The largest frame file accepted, checked before anything is parsed.
pub const MAX_FRAME_BYTES: usize = 20 * 1024 * 1024;
/// At most this many problems are listed; one more then says how many were left out.
pub const MAX_PROBLEMS: usize = 200;
/// The longest value accepted in a mapped column, in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// Which column of the file holds what: each a header name as written in the file's first row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The case or party id, unique in the frame.
    pub id: String,
    /// The enforcement unit (执法单位) that handled the case.
    pub unit: String,
    /// The stratification variables, in the order the draw uses them.
    pub strata: Vec<String>,
    /// The party's mobile number.
    pub phone: String,
    /// The party's name, when the frame has one (for the interviewer's greeting).
    #[serde(default)]
    pub name: Option<String>,
}

/// One checked row of the frame. Every value is trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRow {
    /// The row number in the spreadsheet (the header is row 1), for messages about this row.
    pub line: usize,
    pub id: String,
    /// One of the units passed to [`read_frame`].
    pub unit: String,
    /// The stratum values, in the order of [`Mapping::strata`]; none is empty.
    pub strata: Vec<String>,
    /// A mainland mobile number, 11 ASCII digits beginning `1[3-9]`.
    pub phone: String,
    pub name: Option<String>,
}

/// A frame whose every row passed every check, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub rows: Vec<FrameRow>,
    /// The stratification variables, the header names of [`Mapping::strata`].
    pub strata_vars: Vec<String>,
}

/// One thing wrong with a frame file. `Display` gives the English line,
/// [`Problem::to_string_zh`] the Chinese one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// The spreadsheet row (the header is row 1); `None` for the file as a whole.
    pub row: Option<usize>,
    /// The column header; `None` for a whole row or the whole file.
    pub column: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

impl Problem {
    /// `文件：第 N 行，“列”列：说明`
    pub fn to_string_zh(&self) -> String {
        let mut out = format!("{}：", self.file);
        if let Some(row) = self.row {
            out.push_str(&format!("第 {row} 行，"));
        }
        if let Some(column) = &self.column {
            out.push_str(&format!("“{column}”列："));
        }
        out.push_str(&self.message_zh);
        out
    }
}

impl fmt::Display for Problem {
    /// `file: row N, column X: message`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        if let Some(row) = self.row {
            write!(f, "row {row}, ")?;
        }
        if let Some(column) = &self.column {
            write!(f, "column {column}: ")?;
        }
        f.write_str(&self.message_en)
    }
}

impl std::error::Error for Problem {}

/// Reads and checks the frame in `bytes` (CSV in UTF-8 or GB18030/GBK, or XLSX) through
/// `mapping`; each row's unit must be one of `units`. Returns every problem found, or the
/// frame when there is none.
pub fn read_frame(
    file_name: &str,
    bytes: &[u8],
    mapping: &Mapping,
    units: &[&str],
) -> Result<Frame, Vec<Problem>> {
    let mut found = Problems::new(file_name);
    if bytes.len() > MAX_FRAME_BYTES {
        found.file(
            format!(
                "文件大小为 {}，超过上限 {}",
                megabytes(bytes.len()),
                megabytes(MAX_FRAME_BYTES)
            ),
            format!(
                "the file is {}, over the limit of {}",
                megabytes(bytes.len()),
                megabytes(MAX_FRAME_BYTES)
            ),
        );
        return Err(found.finish());
    }
    let rows = match table::read(file_name, bytes) {
        Ok(table) => rows::check(&table, mapping, units, &mut found),
        Err(unreadable) => {
            found.file(unreadable.zh, unreadable.en);
            Vec::new()
        }
    };
    if found.is_empty() {
        Ok(Frame {
            rows,
            strata_vars: mapping.strata.clone(),
        })
    } else {
        Err(found.finish())
    }
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// The problems of one file, capped at [`MAX_PROBLEMS`] as they come in, so that a frame
/// wrong on every one of its 100 000 rows costs a counter and not 100 000 messages.
struct Problems {
    file: String,
    listed: Vec<Problem>,
    left_out: usize,
}

impl Problems {
    fn new(file: &str) -> Problems {
        Problems {
            file: file.to_owned(),
            listed: Vec::new(),
            left_out: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn file(&mut self, zh: String, en: String) {
        self.push(None, None, zh, en);
    }

    fn push(&mut self, row: Option<usize>, column: Option<&str>, zh: String, en: String) {
        if self.listed.len() == MAX_PROBLEMS {
            self.left_out += 1;
            return;
        }
        self.listed.push(Problem {
            file: self.file.clone(),
            row,
            column: column.map(str::to_owned),
            message_zh: zh,
            message_en: en,
        });
    }

    fn finish(mut self) -> Vec<Problem> {
        if self.left_out > 0 {
            let n = self.left_out;
            self.listed.push(Problem {
                file: self.file.clone(),
                row: None,
                column: None,
                message_zh: format!("另有 {n} 个问题未列出"),
                message_en: format!("and {n} more problems not listed"),
            });
        }
        self.listed
    }
}
