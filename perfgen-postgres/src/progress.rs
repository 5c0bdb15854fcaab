//! Progress lines while a table loads, and the summary table after.

use crate::copy::ADDING_KEYS;
use perfgen_dataset::table::{rate, render};
use perfgen_runtime::output::ProgressFn;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// How often a progress line is printed.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// Runs `work` on a helper thread while this one prints a progress line every second.
pub(crate) fn with_progress<T: Send>(
    stderr: Option<&mut dyn Write>,
    label: &str,
    total: u64,
    unit: &str,
    work: impl FnOnce(Option<ProgressFn>) -> T + Send,
) -> T {
    let Some(err) = stderr else {
        return work(None);
    };
    let done = Arc::new(AtomicU64::new(0));
    let callback: ProgressFn = {
        let done = done.clone();
        Arc::new(move |n| done.store(n, Ordering::Relaxed))
    };
    let started = Instant::now();
    std::thread::scope(|scope| {
        let (finished_tx, finished_rx) = mpsc::channel::<()>();
        let handle = scope.spawn(move || {
            let result = work(Some(callback));
            drop(finished_tx);
            result
        });
        while let Err(mpsc::RecvTimeoutError::Timeout) = finished_rx.recv_timeout(PROGRESS_INTERVAL)
        {
            let n = done.load(Ordering::Relaxed);
            if n == ADDING_KEYS {
                let _ = writeln!(
                    err,
                    "progress: table {label}: all rows in; adding PRIMARY KEY, UNIQUE and FOREIGN KEY, {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let _ = err.flush();
                continue;
            }
            let pct = if total == 0 {
                100.0
            } else {
                n as f64 * 100.0 / total as f64
            };
            let _ = writeln!(
                err,
                "progress: table {label}: {n}/{total} {unit} ({pct:.1}%), {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let _ = err.flush();
        }
        handle
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    })
}

/// One table loaded: its name, rows and seconds, and the constraints added after its rows
/// (`--defer-constraints`), kind by kind, with their seconds.
pub(crate) struct Loaded {
    pub(crate) table: String,
    pub(crate) rows: u64,
    pub(crate) steps: Vec<crate::copy::Step>,
    pub(crate) seconds: f64,
}

/// The table of tables loaded: rows, seconds, rows/s, and a total line.
pub(crate) fn summary(loaded: &[Loaded], total_seconds: f64) -> String {
    let mut lines: Vec<[String; 4]> = vec![[
        "table".into(),
        "rows".into(),
        "seconds".into(),
        "rows/s".into(),
    ]];
    for l in loaded {
        lines.push([
            l.table.clone(),
            l.rows.to_string(),
            format!("{:.3}", l.seconds),
            rate(l.rows, l.seconds),
        ]);
        for (what, seconds) in &l.steps {
            lines.push([
                format!("  then {what}"),
                String::new(),
                format!("{seconds:.3}"),
                String::new(),
            ]);
        }
    }
    let rows: u64 = loaded.iter().map(|l| l.rows).sum();
    lines.push([
        "total".into(),
        rows.to_string(),
        format!("{total_seconds:.3}"),
        rate(rows, total_seconds),
    ]);
    render(&lines)
}
