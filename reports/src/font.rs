//! The CJK font shipped with the report: Minyi Sans SC, a GB 2312 subset of Noto Sans CJK SC
//! (SIL OFL 1.1, see `fonts/LICENSE-OFL.txt`). Renderers that do not use the system's fonts —
//! plotters' PNG backend and the PDF — get it from here, so Chinese renders on a fresh machine.

/// The family name the font files declare.
pub const FAMILY: &str = "Minyi Sans SC";

pub static REGULAR: &[u8] = include_bytes!("../fonts/MinyiSansSC-Regular.otf");
pub static BOLD: &[u8] = include_bytes!("../fonts/MinyiSansSC-Bold.otf");
