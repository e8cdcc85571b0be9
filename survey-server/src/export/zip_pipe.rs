//! A zip file written on a thread of its own: the export formats its bytes on one thread while
//! another compresses them (deflate is most of the cost of a large XLSX or bundle).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use zip::result::{ZipError, ZipResult};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// Bytes handed to the compressing thread at a time.
const CHUNK: usize = 1 << 20;
/// Chunks waiting for it at most (memory stays flat).
const QUEUED: usize = 4;

enum Message {
    Start(String, SimpleFileOptions),
    Data(Vec<u8>),
}

/// A zip being written: [`ZipPipe::start_file`], then the entry's bytes through `Write`, …,
/// then [`ZipPipe::finish`].
pub struct ZipPipe {
    tx: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<ZipResult<()>>>,
    buf: Vec<u8>,
}

impl ZipPipe {
    pub fn create(path: &Path) -> ZipResult<ZipPipe> {
        let file = File::create(path)?;
        let (tx, rx) = sync_channel(QUEUED);
        let thread = std::thread::Builder::new()
            .name("minyi-export-zip".into())
            .spawn(move || compress(file, rx))?;
        Ok(ZipPipe {
            tx: Some(tx),
            thread: Some(thread),
            buf: Vec::with_capacity(CHUNK),
        })
    }

    /// Starts the next entry (the previous one ends here).
    pub fn start_file(&mut self, name: &str, options: SimpleFileOptions) -> ZipResult<()> {
        self.send_buffered()?;
        self.send(Message::Start(name.to_string(), options))
    }

    /// Writes the central directory and waits for the file to be complete.
    pub fn finish(mut self) -> ZipResult<()> {
        self.send_buffered()?;
        self.tx = None;
        self.join()
    }

    fn send_buffered(&mut self) -> ZipResult<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.send(Message::Data(chunk))
    }

    /// Sends to the thread; if it has stopped, its error.
    fn send(&mut self, message: Message) -> ZipResult<()> {
        let sent = match &self.tx {
            Some(tx) => tx.send(message).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        self.tx = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(()) => Err(ZipError::Io(std::io::Error::other(
                "the zip writer stopped early",
            ))),
        }
    }

    fn join(&mut self) -> ZipResult<()> {
        match self.thread.take() {
            Some(thread) => thread.join().unwrap_or_else(|_| {
                Err(ZipError::Io(std::io::Error::other(
                    "the zip writer panicked",
                )))
            }),
            None => Err(ZipError::Io(std::io::Error::other(
                "the zip writer stopped early",
            ))),
        }
    }
}

impl Write for ZipPipe {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.send_buffered().map_err(std::io::Error::other)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn compress(file: File, rx: Receiver<Message>) -> ZipResult<()> {
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 16, file));
    for message in rx {
        match message {
            Message::Start(name, options) => zip.start_file(name, options)?,
            Message::Data(bytes) => zip.write_all(&bytes)?,
        }
    }
    zip.finish()?.flush()?;
    Ok(())
}
