//! Hooks for the subcommands that need the config reader: `perfgen check CONFIG_DIR` and
//! `perfgen infer SEED.yaml`. They are implemented in perfgen-codegen, which this crate must
//! not depend on, so a binary that links both passes them in:
//!
//! ```text
//! perfgen_runtime::cli::main_with_tools(&generated::CATALOG, &perfgen_codegen::tools::TOOLS)
//! ```
//! Without them (`perfgen_runtime::cli::main`), both subcommands say they are not available
//! and exit 2. This module has no dependency beyond `std`, so build-time users of the
//! runtime (perfgen-codegen, with the `cli` feature off) can name [`Tools`].

use std::io::Write;
use std::path::Path;

/// A subcommand run on one path: `(path, stdout, stderr) -> exit code` (0 ok, 1 the input
/// has errors, 2 usage).
pub type ToolFn = fn(&Path, &mut dyn Write, &mut dyn Write) -> i32;

/// The subcommands a binary provides beyond generating.
#[derive(Debug, Clone, Copy)]
pub struct Tools {
    /// `perfgen check CONFIG_DIR`: every diagnostic of a config folder, and a summary.
    pub check: ToolFn,
    /// `perfgen infer SEED.yaml`: a draft multiply config on stdout.
    pub infer: ToolFn,
}

/// Arguments of `perfgen check`.
#[cfg(feature = "cli")]
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// The config folder (`*_multiply.yaml` files), e.g. eval/performance/configs.
    #[arg(value_name = "CONFIG_DIR")]
    pub dir: std::path::PathBuf,
}

/// Arguments of `perfgen infer`.
#[cfg(feature = "cli")]
#[derive(clap::Args, Debug, Clone)]
pub struct InferArgs {
    /// The seed file, e.g. eval/performance/seeds/users_seed.yaml.
    #[arg(value_name = "SEED.yaml")]
    pub seed: std::path::PathBuf,
}

/// Runs `perfgen check` through `tools`, or explains that this binary has none (exit 2).
#[cfg(feature = "cli")]
pub(crate) fn check(
    tools: Option<&Tools>,
    args: &CheckArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    dispatch(tools.map(|t| t.check), "check", &args.dir, stdout, stderr)
}

/// Runs `perfgen infer` through `tools`, or explains that this binary has none (exit 2).
#[cfg(feature = "cli")]
pub(crate) fn infer(
    tools: Option<&Tools>,
    args: &InferArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    dispatch(tools.map(|t| t.infer), "infer", &args.seed, stdout, stderr)
}

#[cfg(feature = "cli")]
fn dispatch(
    tool: Option<ToolFn>,
    name: &str,
    path: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let code = match tool {
        Some(f) => f(path, stdout, stderr),
        None => {
            let _ = writeln!(
                stderr,
                "error: `perfgen {name}` is not available in this binary (it needs perfgen-codegen; \
                 run it from the perfgen repository: cargo run -- {name} ...)"
            );
            crate::cli::EXIT_USAGE
        }
    };
    let _ = stdout.flush();
    let _ = stderr.flush();
    code
}

/// Parses the command line like `T::try_parse_from`, with the default of every `--seed`
/// option taken from `catalog.default_seed` (the `seed` of the build's global config) when
/// it has one; `--help` shows that default.
#[cfg(feature = "cli")]
pub(crate) fn parse_with_default_seed<T: clap::Parser>(
    catalog: &crate::Catalog,
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<T, clap::Error> {
    let Some(seed) = catalog.default_seed else {
        return T::try_parse_from(args);
    };
    fn with_seed(mut cmd: clap::Command, seed: &'static str) -> clap::Command {
        let has_seed = cmd
            .get_arguments()
            .any(|a| a.get_id() == "seed" && !a.get_default_values().is_empty());
        if has_seed {
            cmd = cmd.mut_arg("seed", |a| a.default_value(seed));
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, |s| with_seed(s, seed));
        }
        cmd
    }
    // clap keeps `&'static str` defaults; one small string per process.
    let seed: &'static str = Box::leak(seed.to_string().into_boxed_str());
    let mut cmd = with_seed(T::command(), seed);
    let mut matches = cmd.try_get_matches_from_mut(args)?;
    T::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;
    use crate::cli::{run, run_with_tools};
    use crate::output::tests::CATALOG;
    use crate::Catalog;
    use std::ffi::OsString;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("perfgen")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn fake_check(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
        let _ = writeln!(out, "checked {}", path.display());
        let _ = writeln!(err, "x.yaml:1:2: error: fake");
        1
    }

    fn fake_infer(path: &Path, out: &mut dyn Write, _: &mut dyn Write) -> i32 {
        let _ = writeln!(out, "draft for {}", path.display());
        0
    }

    const FAKE: Tools = Tools {
        check: fake_check,
        infer: fake_infer,
    };

    #[test]
    fn check_and_infer_without_tools_exit_2() {
        for args in [["check", "configs"], ["infer", "seed.yaml"]] {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = run(&CATALOG, argv(&args), &mut out, &mut err);
            let err = String::from_utf8(err).unwrap();
            assert_eq!(code, 2, "{err}");
            assert!(err.contains("not available in this binary"), "{err}");
            assert!(out.is_empty());
        }
    }

    #[test]
    fn check_and_infer_run_the_tools() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with_tools(&CATALOG, &FAKE, argv(&["check", "cfg"]), &mut out, &mut err);
        assert_eq!(code, 1);
        assert_eq!(String::from_utf8(out).unwrap(), "checked cfg\n");
        assert!(String::from_utf8(err).unwrap().contains("x.yaml:1:2"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with_tools(
            &CATALOG,
            &FAKE,
            argv(&["infer", "s.yaml"]),
            &mut out,
            &mut err,
        );
        assert_eq!(code, 0);
        assert_eq!(String::from_utf8(out).unwrap(), "draft for s.yaml\n");
        // A missing path is a usage error from clap.
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            run_with_tools(&CATALOG, &FAKE, argv(&["check"]), &mut out, &mut err),
            2
        );
    }

    #[derive(clap::Parser, Debug)]
    struct Demo {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(subcommand)]
        sub: Option<DemoSub>,
    }

    #[derive(clap::Subcommand, Debug)]
    enum DemoSub {
        Generate {
            #[arg(long, default_value_t = 42)]
            seed: u64,
        },
        List,
    }

    #[test]
    fn default_seed_comes_from_the_catalog() {
        let with7 = Catalog {
            default_seed: Some(7),
            ..CATALOG
        };
        let d: Demo = parse_with_default_seed(&CATALOG, argv(&[])).unwrap();
        assert_eq!(d.seed, 42);
        let d: Demo = parse_with_default_seed(&with7, argv(&[])).unwrap();
        assert_eq!(d.seed, 7);
        let d: Demo = parse_with_default_seed(&with7, argv(&["--seed", "3"])).unwrap();
        assert_eq!(d.seed, 3);
        let d: Demo = parse_with_default_seed(&with7, argv(&["generate"])).unwrap();
        assert!(matches!(d.sub, Some(DemoSub::Generate { seed: 7 })));
        let d: Demo = parse_with_default_seed(&with7, argv(&["list"])).unwrap();
        assert!(matches!(d.sub, Some(DemoSub::List)));
        let e = parse_with_default_seed::<Demo>(&with7, argv(&["--help"])).unwrap_err();
        assert!(e.to_string().contains("[default: 7]"), "{e}");
        let e = parse_with_default_seed::<Demo>(&with7, argv(&["--seed", "x"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn default_seed_changes_the_data_like_an_explicit_seed() {
        let with7 = Catalog {
            default_seed: Some(7),
            ..CATALOG
        };
        let dir = tempfile::tempdir().unwrap();
        let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let mut sink = (Vec::new(), Vec::new());
        let (a, b, c) = (out("a"), out("b"), out("c"));
        for (catalog, args) in [
            (&with7, vec!["--quiet", "--out", a.as_str()]),
            (
                &CATALOG,
                vec!["--quiet", "--out", b.as_str(), "--seed", "7"],
            ),
            (&CATALOG, vec!["--quiet", "--out", c.as_str()]),
        ] {
            assert_eq!(run(catalog, argv(&args), &mut sink.0, &mut sink.1), 0);
        }
        let read = |d: &str| std::fs::read(Path::new(d).join("things_bulk.csv")).unwrap();
        assert_eq!(read(&a), read(&b));
        assert_ne!(read(&a), read(&c));
    }
}
