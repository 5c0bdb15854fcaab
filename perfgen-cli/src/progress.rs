//! How `generate` shows progress: indicatif bars on a terminal, else a line every second.

use crate::write::{write_entity, FileReport, Part};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::entity::Context;
use perfgen_runtime::output::{IoMode, OutputError, ProgressFn, Staged, WriteOptions};
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// How often a progress line is printed to stderr.
pub(crate) const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// How `generate` reports progress.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ui {
    /// A plain progress line every this long (when stderr is not a terminal).
    pub(crate) progress_interval: Duration,
    /// Where indicatif progress bars are drawn instead of lines: stderr, when it is a
    /// terminal.
    pub(crate) bars: Option<fn() -> ProgressDrawTarget>,
}

impl Ui {
    pub(crate) fn lines(progress_interval: Duration) -> Self {
        Ui {
            progress_interval,
            bars: None,
        }
    }

    /// The process's own stderr: bars when it is a terminal.
    pub(crate) fn for_stderr() -> Self {
        Ui {
            progress_interval: PROGRESS_INTERVAL,
            bars: io::stderr()
                .is_terminal()
                .then_some(ProgressDrawTarget::stderr as fn() -> ProgressDrawTarget),
        }
    }
}

/// Prints a progress line to stderr every `interval` while one entity is written.
pub(crate) struct Progress<'a> {
    pub(crate) out: &'a mut dyn Write,
    pub(crate) interval: Duration,
    pub(crate) started: Instant,
    /// Rows of all entities to write, and of those already written.
    pub(crate) total_rows: u64,
    pub(crate) done_before: u64,
}

/// indicatif progress bars on the terminal: one per entity (rows, rows/s, ETA), added when
/// its file is started, and a total bar below them when there are several files.
pub(crate) struct Bars {
    multi: MultiProgress,
    total: Option<ProgressBar>,
    /// Rows of the entities already written, and the width of the file names.
    done_before: u64,
    label_width: usize,
}

impl Bars {
    pub(crate) fn new(target: ProgressDrawTarget, files: &[String], total_rows: u64) -> Self {
        let multi = MultiProgress::with_draw_target(target);
        let label_width = files
            .iter()
            .map(|f| f.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        let total = (files.len() > 1).then(|| {
            let bar = multi.add(ProgressBar::new(total_rows));
            bar.set_style(Self::style(label_width, None));
            bar.set_prefix("total");
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Bars {
            multi,
            total,
            done_before: 0,
            label_width,
        }
    }

    /// `file [=====>    ] 1,200,000/10,000,000 rows  2,500,000 rows/s  318 MB/s  ETA 4s`;
    /// when done, the average rate and `in 3.9 s` instead of the ETA. MB/s is the row rate
    /// times the file's estimated bytes per row (`bytes_per_row`, as the plan estimates it).
    fn style(label_width: usize, bytes_per_row: Option<f64>) -> ProgressStyle {
        let template = format!(
            "{{prefix:<{label_width}}} [{{bar:30}}] {{human_pos:>11}}/{{human_len}} rows  \
             {{rate}}  {{tail}}{{msg}}"
        );
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
            .with_key(
                "rate",
                move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let per_sec = state.per_sec().max(0.0);
                    let _ = write!(w, "{} rows/s", indicatif::HumanCount(per_sec as u64));
                    if let Some(b) = bytes_per_row {
                        let _ = write!(
                            w,
                            "  {} MB/s",
                            indicatif::HumanCount((per_sec * b / 1e6).round() as u64)
                        );
                    }
                },
            )
            .with_key(
                "tail",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = if state.is_finished() {
                        write!(w, "in {:.1} s", state.duration().as_secs_f64())
                    } else {
                        write!(w, "ETA {:#}", indicatif::HumanDuration(state.eta()))
                    };
                },
            )
    }

    /// The bar of the next file, and a callback that moves it (and the total bar).
    fn start(&self, file: &str, rows: u64, bytes_per_row: f64) -> (ProgressBar, ProgressFn) {
        let bar = ProgressBar::new(rows);
        let bar = match &self.total {
            Some(total) => self.multi.insert_before(total, bar),
            None => self.multi.add(bar),
        };
        bar.set_style(Self::style(self.label_width, Some(bytes_per_row)));
        bar.set_prefix(file.to_string());
        bar.enable_steady_tick(Duration::from_millis(250));
        let (b, total, base) = (bar.clone(), self.total.clone(), self.done_before);
        let update: ProgressFn = Arc::new(move |n| {
            b.set_position(n);
            if let Some(t) = &total {
                t.set_position(base + n);
            }
        });
        (bar, update)
    }

    pub(crate) fn finish(&self) {
        if let Some(total) = &self.total {
            total.finish();
        }
    }

    /// Leaves the total bar where it stopped, before the error is printed below it.
    pub(crate) fn fail(&self) {
        if let Some(total) = &self.total {
            total.abandon();
        }
    }
}

/// How progress is reported while files are written.
pub(crate) enum Reporter<'a> {
    Quiet,
    Lines(Progress<'a>),
    Bars(Bars),
}

impl Reporter<'_> {
    pub(crate) fn entity_done(&mut self, rows: u64) {
        match self {
            Reporter::Quiet => {}
            Reporter::Lines(p) => p.done_before += rows,
            Reporter::Bars(b) => b.done_before += rows,
        }
    }
}

pub(crate) fn percent(done: u64, total: u64) -> f64 {
    if total == 0 {
        100.0
    } else {
        done as f64 * 100.0 / total as f64
    }
}

pub(crate) fn progress_line(
    file: &str,
    done: u64,
    rows: u64,
    all_done: u64,
    all_rows: u64,
    elapsed: Duration,
) -> String {
    use perfgen_dataset::human::thousands;
    format!(
        "progress: {file}: {}/{} rows ({:.1}%); all files: {}/{} rows ({:.1}%), {:.1} s",
        thousands(done),
        thousands(rows),
        percent(done, rows),
        thousands(all_done),
        thousands(all_rows),
        percent(all_done, all_rows),
        elapsed.as_secs_f64()
    )
}

/// The file name of `path` (the whole path when it has none).
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// [`write_entity`] on a helper thread while this thread reports progress. A panic in the
/// generator becomes an error.
pub(crate) fn write_entity_reporting(
    cx: &Context,
    catalog: &Catalog,
    part: &Part,
    path: &Path,
    opts: &WriteOptions,
    io: IoMode,
    reporter: &mut Reporter<'_>,
) -> Result<(FileReport, Staged), OutputError> {
    let done = Arc::new(AtomicU64::new(0));
    let mut opts = opts.clone();
    let rows = part.rows.end - part.rows.start;
    let mut bar = None;
    match reporter {
        Reporter::Quiet => {}
        Reporter::Lines(_) => {
            let done = done.clone();
            opts.progress = Some(Arc::new(move |n| done.store(n, Ordering::Relaxed)));
        }
        Reporter::Bars(bars) => {
            // In the part's format, as the plan estimates it.
            let per_row = crate::generate::planned_bytes_per_row(catalog, part, cx);
            let (b, update) = bars.start(&file_label(path), rows, per_row);
            opts.progress = Some(update);
            bar = Some(b);
        }
    }
    let result = std::thread::scope(|scope| {
        let (finished_tx, finished_rx) = mpsc::channel::<()>();
        let opts = &opts;
        let handle = scope.spawn(move || {
            let result = write_entity(cx, catalog, part, path, opts, io);
            drop(finished_tx);
            result
        });
        if let Reporter::Lines(p) = reporter {
            let file = file_label(path);
            while let Err(mpsc::RecvTimeoutError::Timeout) = finished_rx.recv_timeout(p.interval) {
                let n = done.load(Ordering::Relaxed);
                let line = progress_line(
                    &file,
                    n,
                    rows,
                    p.done_before + n,
                    p.total_rows,
                    p.started.elapsed(),
                );
                let _ = writeln!(p.out, "{line}");
                let _ = p.out.flush();
            }
        }
        handle
            .join()
            .unwrap_or_else(|payload| Err(OutputError::from_panic(payload)))
    });
    if let Some(bar) = bar {
        match &result {
            Ok(_) => bar.finish(),
            Err(_) => bar.abandon_with_message("  FAILED"),
        }
    }
    result
}
