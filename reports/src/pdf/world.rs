//! The closed world typst compiles the report in: the generated main file, the style file, the
//! chart PNGs as virtual files, and the shipped font. Nothing is read from disk or the network,
//! and there is no date, so the same document gives the same PDF on any machine.

use std::collections::HashMap;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::font;

const STYLE: &str = include_str!("style.typ");

/// The path of the style file, as the generated main file imports it.
pub(super) const STYLE_PATH: &str = "/style.typ";

pub(super) struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    style: Source,
    files: HashMap<FileId, Bytes>,
}

impl ReportWorld {
    /// A world whose main file is `markup`, with `files` (virtual path → bytes) beside it.
    pub(super) fn new(markup: String, files: Vec<(String, Vec<u8>)>) -> ReportWorld {
        let fonts: Vec<Font> = [font::REGULAR, font::BOLD]
            .into_iter()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let files = files
            .into_iter()
            .map(|(path, data)| (file_id(&path), Bytes::new(data)))
            .collect();
        ReportWorld {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main: Source::new(file_id("/main.typ"), markup),
            style: Source::new(file_id(STYLE_PATH), STYLE.to_string()),
            files,
        }
    }

    /// The source of `id`, if it is one of the two typst files.
    pub(super) fn source_of(&self, id: FileId) -> Option<&Source> {
        [&self.main, &self.style]
            .into_iter()
            .find(|source| source.id() == id)
    }
}

/// The id of a virtual path in the project root; the paths are ours, so they are valid.
pub(super) fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.source_of(id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.source_of(id) {
            return Ok(Bytes::from_string(source.text().to_string()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
