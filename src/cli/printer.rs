//! Lines for a person from the long-running commands (`serve`, `attach`), written by a thread
//! of their own.

use std::io::Write;
use std::time::Duration;

/// Lines for a person, printed by a thread of their own, so that a terminal that is behind (or
/// a pipe nobody reads) never holds up capture or shutdown. Lines it cannot take are counted,
/// and the count is said once it catches up. Warnings go to standard error, the rest to
/// standard output.
#[derive(Clone)]
pub struct Printer {
    lines: std::sync::mpsc::SyncSender<Line>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

enum Line {
    Out(String),
    Warning(String),
    /// Answered once every line before it is written.
    Flushed(std::sync::mpsc::SyncSender<()>),
}

impl Printer {
    pub fn start() -> Printer {
        let (lines, waiting) = std::sync::mpsc::sync_channel::<Line>(1024);
        std::thread::spawn(move || {
            // Under load, one write for every line waiting rather than one for each.
            while let Ok(line) = waiting.recv() {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                // A closed pipe is not a reason to stop draining, or senders would drop.
                for line in std::iter::once(line).chain(waiting.try_iter()) {
                    match line {
                        Line::Out(text) => {
                            let _ = writeln!(out, "{text}");
                        }
                        Line::Warning(text) => {
                            let _ = out.flush();
                            let _ = writeln!(std::io::stderr(), "hookscope: {text}");
                        }
                        Line::Flushed(done) => {
                            let _ = out.flush();
                            let _ = done.send(());
                        }
                    }
                }
                let _ = out.flush();
            }
        });
        Printer {
            lines,
            dropped: Default::default(),
        }
    }

    /// Says one line, or several joined by newlines.
    pub fn say(&self, lines: impl Into<String>) {
        self.send(Line::Out(lines.into()));
    }

    /// Says a warning or an error, on standard error.
    pub fn warn(&self, text: impl Into<String>) {
        self.send(Line::Warning(text.into()));
    }

    fn send(&self, line: Line) {
        use std::sync::atomic::Ordering::Relaxed;
        let count = match &line {
            Line::Out(text) | Line::Warning(text) => text.lines().count() as u64,
            Line::Flushed(_) => 0,
        };
        let dropped = self.dropped.load(Relaxed);
        if dropped > 0 {
            let note = format!("… {dropped} lines not shown here (the captures are all stored)");
            if self.lines.try_send(Line::Out(note)).is_err() {
                self.dropped.fetch_add(count, Relaxed);
                return;
            }
            self.dropped.fetch_sub(dropped, Relaxed);
        }
        if self.lines.try_send(line).is_err() {
            self.dropped.fetch_add(count, Relaxed);
        }
    }

    /// Waits up to `limit` for the lines said so far to be written: a reader that is there
    /// sees the last lines before the process ends, and one that is not holds nothing up.
    pub fn finish(&self, limit: Duration) {
        let (done, flushed) = std::sync::mpsc::sync_channel(1);
        self.send(Line::Flushed(done));
        let _ = flushed.recv_timeout(limit);
    }
}
