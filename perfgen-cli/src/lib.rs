//! perfgen-cli: the `perfgen` command line over a compiled [`Catalog`].
//!
//! `perfgen [generate] [--seed N] [--out DIR] [--rows ENTITY=N]... [--scale F] [--only ENTITY]...
//! [--threads N] [--now RFC3339] [--quiet]` writes the CSV files; `perfgen list` shows what
//! was compiled in; `verify`, `schema`, `load`, `plan`, `check` and `infer` do what their
//! modules say. Exit codes ([`exit`]): 0 success, 1 data or I/O failure, 2 usage error, 130
//! interrupted (Ctrl-C; the files being written are removed).
//!
//! This crate holds clap, the progress display (indicatif) and the interrupt handler (ctrlc),
//! so that perfgen-runtime, which generated code calls, has none of them. It links
//! perfgen-codegen for `check` and `infer`, and perfgen-postgres only with its `postgres`
//! feature. Nothing here may be called by generated code.

mod args;
mod check;
mod entities;
pub mod exit;
mod generate;
mod import;
mod infer;
mod list;
mod load;
mod manifest;
mod plan;
mod progress;
mod readme;
mod schema;
mod shard;
#[cfg(test)]
mod tests;
mod verify;
mod write;

use args::{Cli, Command};
use exit::{Failure, EXIT_INTERRUPTED, EXIT_OK};
use perfgen_runtime::catalog::Catalog;
use progress::{Ui, PROGRESS_INTERVAL};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// The whole program: parse `std::env::args_os()`, [`run`], map the result to an exit code.
/// Ctrl-C removes the files being written and exits with [`exit::EXIT_INTERRUPTED`].
pub fn main(catalog: &Catalog) -> ExitCode {
    install_interrupt_handler();
    let code = run_with_ui(
        catalog,
        std::env::args_os(),
        &mut io::stdout(),
        &mut io::stderr(),
        Ui::for_stderr(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Runs the command line `args` (the first item is the program name, as in
/// `std::env::args_os()`) against `catalog`. Returns the exit code: 0 success, 1 data or
/// I/O failure, 2 usage error. Messages, progress and errors go to `stderr`; `--help`,
/// `--version`, `list` and the summary table go to `stdout`.
pub fn run(
    catalog: &Catalog,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    run_with_ui(catalog, args, stdout, stderr, Ui::lines(PROGRESS_INTERVAL))
}

/// [`run`], with progress reported as `ui` says.
fn run_with_ui(
    catalog: &Catalog,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    ui: Ui,
) -> i32 {
    let cli = match args::parse_with_default_seed::<Cli>(catalog, args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let sink: &mut dyn Write = if e.use_stderr() { stderr } else { stdout };
            let _ = sink.write_all(text.as_bytes());
            let _ = sink.flush();
            return e.exit_code();
        }
    };
    let result = match cli.command {
        Some(Command::List) => {
            list::list(catalog, stdout).map_err(|e| Failure::Data(e.to_string()))
        }
        Some(Command::Plan(args)) => plan::plan(catalog, &args, stdout).map_err(Failure::Usage),
        Some(Command::Verify(args)) => verify::verify(catalog, &args, stdout, stderr),
        Some(Command::Report(args)) => verify::report(catalog, &args, stdout, stderr),
        Some(Command::Generate(args)) => generate::generate(catalog, &args, stdout, stderr, ui),
        Some(Command::Schema(args)) => {
            schema::schema(catalog, &args, stdout).map_err(Failure::Data)
        }
        Some(Command::Load(args)) => load::load(catalog, &args, stdout, stderr),
        Some(Command::Check(args)) => {
            return flushed(check::check(&args.dir, stdout, stderr), stdout, stderr)
        }
        Some(Command::Infer(args)) => {
            let code = infer::infer(&args.seed, args.out.as_deref(), stdout, stderr);
            return flushed(code, stdout, stderr);
        }
        Some(Command::Import(args)) => import::import(&args, stdout),
        None => generate::generate(catalog, &cli.generate, stdout, stderr, ui),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(failure) => {
            let code = failure.exit_code();
            let (Failure::Usage(message) | Failure::Data(message)) = failure;
            let _ = writeln!(stderr, "error: {}", message.replace(['\n', '\r'], " "));
            let _ = stderr.flush();
            code
        }
    }
}

/// `code`, once both streams are flushed.
fn flushed(code: i32, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let _ = stdout.flush();
    let _ = stderr.flush();
    code
}

/// On Ctrl-C (and SIGTERM, SIGHUP): remove the temporary files being written (no file
/// appears under a final name unless complete), say so on stderr, exit 130.
fn install_interrupt_handler() {
    let on_terminal = io::stderr().is_terminal();
    // Fails only when a handler is already installed (a host program's): keep that one.
    let _ = ctrlc::set_handler(move || {
        perfgen_runtime::output::remove_temp_files_and_exit(EXIT_INTERRUPTED, |removed| {
            // The folder's lock too: no destructor runs on this way out.
            perfgen_dataset::lock::release_all();
            let mut line = String::from(if on_terminal { "\n" } else { "" });
            line.push_str("error: interrupted");
            if !removed.is_empty() {
                let names: Vec<String> = removed
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect();
                line.push_str(&format!("; removed the unfinished {}", names.join(", ")));
            }
            // A database load says which tables are in and how to resume.
            if let Some(note) = perfgen_runtime::output::interrupt_note() {
                line.push_str(&format!(" {note}"));
            }
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "{line}");
            let _ = err.flush();
        })
    });
}
