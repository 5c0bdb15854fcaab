//! Reading one entity: its file, or its parts one after the other, through a [`Pass`];
//! the header, the parts' rows and header lines.

use crate::pass::Pass;
use crate::reader::{CsvReader, Record};
use crate::source::{end_of_part, numbers, read_rows, DataFile, Source, PART_SHIFT};
use crate::thresholds::EXAMPLES;
use crate::verdict::{short_name, Location, Outcome};
use crate::verifier::Verifier;
use std::io::Write;

/// What reading the parts after the header found.
struct PartsRead {
    /// The first error that stopped reading.
    io_error: Option<String>,
    /// Rows read from each part.
    rows: Vec<u64>,
    /// Whether parts 1.. start with the header line (None: the part is empty).
    headers: Vec<Option<bool>>,
}

impl Verifier<'_> {
    /// Reads and checks one entity's file, or its parts one after the other.
    pub(crate) fn entity(&mut self, e: usize, progress: &mut dyn Write) {
        let name = self.shared.catalog.entities[e].name;
        let Some((mut src, file)) = self.open_source(e, progress) else {
            return;
        };
        let first = src.files[0].display().to_string();
        let mut reader = CsvReader::new(file);
        let mut rec = Record::default();
        let got: Vec<String> = match reader.read_record(&mut rec) {
            Ok(true) => (0..rec.len())
                .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
                .collect(),
            Ok(false) => Vec::new(),
            Err(err) => {
                self.fail(name, "file", format!("cannot read `{first}`: {err}"), None);
                self.mark_unavailable(e, &format!("`{first}` could not be read"));
                return;
            }
        };
        let header_error = if got.is_empty() { None } else { rec.error };
        let cols = self.check_header(e, &first, &got);
        let mut pass = Pass::new(&self.shared, e, src.shown.clone(), cols, got.len());
        if let Some((line, what)) = header_error {
            pass.csv.hit(line, || what.to_string());
        }
        let read = if got.is_empty() {
            PartsRead {
                io_error: None,
                rows: Vec::new(),
                headers: Vec::new(),
            }
        } else {
            self.read_parts(e, &mut src, &mut reader, &mut rec, &mut pass, &got)
        };
        if let Some(err) = read.io_error {
            self.fail(name, "file", err, None);
        } else if src.sharded && !got.is_empty() {
            self.part_checks(name, &src, pass.expected_rows, &read.rows, &read.headers);
        }
        self.finish_pass(e, pass, &src);
    }

    /// The entity's file (or its first part), opened, with the `file` check; None (and the
    /// failure recorded) when it cannot be.
    fn open_source(&mut self, e: usize, progress: &mut dyn Write) -> Option<(Source, DataFile)> {
        let info = &self.shared.catalog.entities[e];
        let name = info.name;
        let src = match Source::of(info, self.shared.opts.out_dir.as_deref()) {
            Ok(mut src) => {
                src.sums = Some(self.sums.clone());
                src
            }
            Err(why) => {
                let _ = writeln!(progress, "verify: {why}");
                let _ = progress.flush();
                self.fail(name, "parts", why, None);
                self.mark_unavailable(e, "its parts are not one complete set");
                return None;
            }
        };
        let shown = src.shown.clone();
        if src.sharded {
            let _ = writeln!(
                progress,
                "verify: reading {shown} ({} parts)",
                src.files.len()
            );
        } else {
            let _ = writeln!(progress, "verify: reading {shown}");
        }
        let _ = progress.flush();
        let first = src.files[0].display().to_string();
        let file = match src.open(0) {
            Ok(f) => f,
            Err(err) => {
                self.fail(name, "file", format!("cannot open `{first}`: {err}"), None);
                self.mark_unavailable(e, &format!("`{first}` could not be read"));
                return None;
            }
        };
        if src.sharded {
            let size: u64 = src
                .files
                .iter()
                .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
                .sum();
            let n = src.files.len();
            self.push(name, "file", format!("{shown}, {n} parts, {size} bytes"));
        } else {
            let size = std::fs::metadata(&src.files[0])
                .map(|m| m.len())
                .unwrap_or(0);
            self.push(name, "file", format!("{shown}, {size} bytes"));
        }
        Some((src, file))
    }

    /// The `header` check of the header line `got` of `first`; returns where each field's
    /// column is (None: missing or repeated).
    fn check_header(&mut self, e: usize, first: &str, got: &[String]) -> Vec<Option<usize>> {
        let info = &self.shared.catalog.entities[e];
        let name = info.name;
        let expected: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
        let cols: Vec<Option<usize>> = expected
            .iter()
            .map(|n| {
                let mut hits = got.iter().enumerate().filter(|(_, g)| g == n);
                match (hits.next(), hits.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .collect();
        if got.iter().map(String::as_str).eq(expected.iter().copied()) {
            self.push(name, "header", format!("{} columns", expected.len()));
            return cols;
        }
        let mut problems = Vec::new();
        if got.is_empty() {
            problems.push("the file is empty: no header".to_string());
        }
        let missing: Vec<&str> = expected
            .iter()
            .zip(&cols)
            .filter(|(_, c)| c.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            problems.push(format!("missing or repeated: `{}`", missing.join("`, `")));
        }
        let extra: Vec<&str> = got
            .iter()
            .filter(|g| !expected.contains(&g.as_str()))
            .map(String::as_str)
            .collect();
        if !extra.is_empty() {
            problems.push(format!("unexpected: `{}`", extra.join("`, `")));
        }
        if problems.is_empty() {
            problems.push("columns out of order".to_string());
        }
        let note = format!("{}; expected `{}`", problems.join("; "), expected.join(","));
        self.fail(
            name,
            "header",
            format!("found `{}`", got.join(",")),
            Some(Location {
                path: first.to_string(),
                line: 1,
                note,
            }),
        );
        cols
    }

    /// Reads the rest of the first file, then parts 1.. (each may repeat the header line
    /// `got`), into `pass`; stops at the first I/O error.
    fn read_parts(
        &self,
        e: usize,
        src: &mut Source,
        reader: &mut CsvReader<DataFile>,
        rec: &mut Record,
        pass: &mut Pass<'_>,
        got: &[String],
    ) -> PartsRead {
        let stores = &self.shared.stores;
        let first = src.files[0].display().to_string();
        let mut read = PartsRead {
            io_error: None,
            rows: Vec::new(),
            headers: Vec::new(),
        };
        let threads = match self.shared.opts.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let rows = if threads > 1 && src.files.len() == 1 && pass.parallel_safe() {
            crate::parallel::read_rows_parallel(reader, pass, &self.shared, e, threads)
        } else {
            read_rows(reader, rec, pass, stores, 0)
        };
        if let Err(err) = rows {
            read.io_error = Some(format!("cannot read `{first}` to the end: {err}"));
        }
        read.rows.push(pass.rows);
        if src.files.len() > 1 {
            end_of_part(&src.files[0], rec.line, pass);
        }
        for k in 1..src.files.len() {
            if read.io_error.is_some() {
                break;
            }
            let path = src.files[k].clone();
            let shown_part = path.display();
            let file = match src.open(k) {
                Ok(f) => f,
                Err(err) => {
                    read.io_error = Some(format!("cannot open `{shown_part}`: {err}"));
                    break;
                }
            };
            let mut reader = CsvReader::new(file);
            let offset = (k as u64) << PART_SHIFT;
            let before = pass.rows;
            let result = reader.read_record(rec).and_then(|any| {
                if !any {
                    read.headers.push(None);
                    return Ok(());
                }
                let is_header = rec.len() == got.len()
                    && (0..rec.len()).all(|i| rec.field(i) == got[i].as_bytes());
                read.headers.push(Some(is_header));
                if !is_header {
                    rec.shift_lines(offset);
                    pass.row(rec, stores);
                }
                read_rows(&mut reader, rec, pass, stores, offset)
            });
            src.headed[k] = read.headers.last() == Some(&Some(true));
            read.rows.push(pass.rows - before);
            match result {
                Err(err) => {
                    read.io_error = Some(format!("cannot read `{shown_part}` to the end: {err}"))
                }
                Ok(()) if k + 1 < src.files.len() => end_of_part(&path, offset + rec.line, pass),
                Ok(()) => {}
            }
        }
        read
    }

    /// The checks of a sharded entity's parts: each holds the rows `--shard K/N` puts in it,
    /// and the header line is in part 0 only or in every part.
    pub(crate) fn part_checks(
        &mut self,
        name: &'static str,
        src: &Source,
        expected: u64,
        part_rows: &[u64],
        part_headers: &[Option<bool>],
    ) {
        let n = src.files.len() as u64;
        let mut wrong = Vec::new();
        for (k, &got) in part_rows.iter().enumerate() {
            let want = perfgen_dataset::parts::rows(k as u64, n, expected);
            let want = want.end - want.start;
            if got != want {
                wrong.push(format!(
                    "part {k} `{}` has {got} rows, --shard {k}/{n} of {expected} writes {want}",
                    short_name(&src.files[k].display().to_string())
                ));
            }
        }
        let statistic = format!("{n} parts, rows of each as --shard K/{n} splits {expected}");
        if wrong.is_empty() {
            self.push(name, "parts", statistic);
        } else {
            let shown = wrong.len().min(EXAMPLES);
            let more = if wrong.len() > shown {
                format!("; {} more", wrong.len() - shown)
            } else {
                String::new()
            };
            let c = self.push(
                name,
                "parts",
                format!("{statistic}: {}{more}", wrong[..shown].join("; ")),
            );
            c.outcome = Outcome::Fail;
            c.violations = Some(wrong.len() as u64);
        }

        let (with, without): (Vec<usize>, Vec<usize>) = {
            let with = (1..).zip(part_headers).filter(|(_, h)| **h == Some(true));
            let without = (1..).zip(part_headers).filter(|(_, h)| **h == Some(false));
            (
                with.map(|(k, _)| k).collect(),
                without.map(|(k, _)| k).collect(),
            )
        };
        if with.is_empty() || without.is_empty() {
            let statistic = if with.is_empty() {
                "in part 0 only"
            } else {
                "in every part (--header-every-part)"
            };
            self.push(name, "part headers", statistic.to_string());
            return;
        }
        // Point at the fewer: they are the odd ones out.
        let (odd, note) = if with.len() <= without.len() {
            (
                &with,
                format!("a header line, but parts {} have none", numbers(&without)),
            )
        } else {
            (
                &without,
                format!(
                    "no header line, but parts {} start with one",
                    numbers(&with)
                ),
            )
        };
        let locations = odd
            .iter()
            .take(EXAMPLES)
            .map(|&k| Location {
                path: src.files[k].display().to_string(),
                line: 1,
                note: note.clone(),
            })
            .collect();
        let c = self.push(
            name,
            "part headers",
            format!(
                "parts {} start with the header line, parts {} do not: it belongs in part 0 only, or in every part (--header-every-part)",
                numbers(&with),
                numbers(&without)
            ),
        );
        c.outcome = Outcome::Fail;
        c.violations = Some(odd.len() as u64);
        c.locations = locations;
    }
}
