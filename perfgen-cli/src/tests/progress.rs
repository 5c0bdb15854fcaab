//! What `generate` prints: the plan, progress lines and bars, the summary.

use super::*;

#[test]
fn progress_lines_go_to_stderr() {
    let (_d, out) = tmp();
    let o = run_interval(
        &CATALOG,
        &["--out", &out, "--rows", "thing=300000", "--threads", "2"],
        Duration::from_millis(1),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut lines = o.stderr.lines();
    // The plan first: entities in order, rows, estimated size, files.
    let plan: Vec<&str> = lines.by_ref().take(4).collect();
    assert!(
        plan[0].starts_with("plan: 2 files, 300,030 rows, ~"),
        "{}",
        o.stderr
    );
    assert!(plan[0].ends_with(&format!("into `{out}`")), "{}", plan[0]);
    assert!(plan[1].contains("entity") && plan[1].contains("est. size"));
    let cells =
        |line: &str| -> Vec<String> { line.split_whitespace().map(str::to_string).collect() };
    let thing = cells(plan[2]);
    assert_eq!(thing[..2], ["Thing", "300,000"], "{}", plan[2]);
    assert!(thing[2].starts_with('~') && thing[3] == "MB", "{}", plan[2]);
    assert_eq!(thing[4], format!("{out}/things_bulk.csv"));
    let child = cells(plan[3]);
    assert_eq!(child[..2], ["Child", "30"], "{}", plan[3]);
    assert_eq!(child[4], format!("{out}/children.csv"));
    let progress: Vec<&str> = lines.collect();
    assert!(!progress.is_empty(), "some progress");
    for line in progress {
        assert!(
            line.starts_with("progress: things_bulk.csv: ")
                || line.starts_with("progress: children.csv: "),
            "{line}"
        );
        assert!(line.contains("/300,030 rows"), "{line}");
    }
}

#[test]
fn progress_and_summary_format() {
    let line = progress_line("u.csv", 50, 200, 150, 300, Duration::from_millis(1500));
    assert_eq!(
        line,
        "progress: u.csv: 50/200 rows (25.0%); all files: 150/300 rows (50.0%), 1.5 s"
    );
    let s = format_summary(
        &[FileReport {
            path: PathBuf::from("out/users.csv"),
            rows: 1000,
            bytes: 12345,
            crc32: 0,
            seconds: 0.5,
        }],
        0.5,
    );
    assert_eq!(
        s,
        "file            rows     size  seconds  rows/s      MB/s\n\
         out/users.csv  1,000  12.3 kB    0.500   2,000  0.0 MB/s\n\
         total          1,000  12.3 kB    0.500   2,000  0.0 MB/s\n"
    );
}

#[test]
fn plan_format_and_sizes() {
    assert_eq!(human_bytes(0.0), "0 B");
    assert_eq!(human_bytes(999.4), "999 B");
    assert_eq!(human_bytes(1500.0), "1.5 kB");
    assert_eq!(human_bytes(12_345_678.0), "12.3 MB");
    assert_eq!(human_bytes(3.2e12), "3.2 TB");
    let plan = format_plan(
        &[
            Planned {
                entity: "User".into(),
                rows: 100_000,
                bytes: 12_300_000.0,
                path: PathBuf::from("out/users.csv"),
            },
            Planned {
                entity: "OrderItem".into(),
                rows: 5,
                bytes: 400.0,
                path: PathBuf::from("out/order_items.csv"),
            },
        ],
        "`out`",
    );
    assert_eq!(
        plan,
        "plan: 2 files, 100,005 rows, ~12.3 MB, into `out`\n\
         \x20 entity        rows  est. size  file\n\
         \x20 User       100,000   ~12.3 MB  out/users.csv\n\
         \x20 OrderItem        5     ~400 B  out/order_items.csv\n"
    );
}

fn fake_terminal() -> ProgressDrawTarget {
    ProgressDrawTarget::term_like(Box::new(FakeTerminal))
}

#[test]
fn progress_bars_on_a_terminal() {
    let (_d, out) = tmp();
    let ui = Ui {
        progress_interval: Duration::from_millis(1),
        bars: Some(fake_terminal),
    };
    let o = run_ui(
        &CATALOG,
        &["--out", &out, "--rows", "thing=200000", "--threads", "2"],
        ui,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The plan is printed; the bars replace the progress lines.
    assert!(
        o.stderr.starts_with("plan: 2 files, 200,030 rows"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("progress:"), "{}", o.stderr);
    assert!(o.stdout.starts_with("file"), "{}", o.stdout);
    let drawn = TERMINAL.lock().unwrap().clone();
    for want in [
        "things_bulk.csv",
        "children.csv",
        "total",
        "200,000/200,000 rows",
        "30/30 rows",
        "200,030/200,030 rows",
        "rows/s",
        "MB/s",
        "ETA",
        "in ",
    ] {
        assert!(drawn.contains(want), "{want}: {drawn}");
    }
}

#[test]
fn quiet_prints_nothing_on_a_terminal_either() {
    let (_d, out) = tmp();
    let ui = Ui {
        progress_interval: Duration::from_millis(1),
        bars: Some(ProgressDrawTarget::hidden),
    };
    let o = run_ui(&CATALOG, &["-q", "--out", &out], ui);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

/// What the progress bars drew, by [`fake_terminal`].
static TERMINAL: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

#[derive(Debug)]
struct FakeTerminal;

impl indicatif::TermLike for FakeTerminal {
    fn width(&self) -> u16 {
        120
    }
    fn move_cursor_up(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        let mut t = TERMINAL.lock().unwrap();
        t.push_str(s);
        t.push('\n');
        Ok(())
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        TERMINAL.lock().unwrap().push_str(s);
        Ok(())
    }
    fn clear_line(&self) -> io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }
}
