//! perfgen-codegen: turns a folder of perfgen YAML configs (multiply configs plus the seed
//! files they name) into a typed Rust generator, at build time.
//!
//! The pipeline, each stage gated on the previous one having no errors:
//! load ([`yaml`], [`config`], [`seed`]; each field's strategy read into a typed [`strategy`]
//! config) -> check and lower to the IR ([`lower`], [`ir`]) -> emit tokens ([`emit`]) ->
//! format (prettyplease) -> write into `OUT_DIR` only when changed.
//!
//! In a build script:
//! ```no_run
//! // build.rs, in `fn main`:
//! perfgen_codegen::build_script();
//! ```
//! or, with a folder of your own:
//! ```no_run
//! perfgen_codegen::Builder::new("data/configs").compile_for_cargo();
//! ```
//! then `include!(concat!(env!("OUT_DIR"), "/perfgen_generated.rs"));` in a module.

pub mod children;
pub mod config;
pub mod diag;
pub mod emit;
mod emit_kit;
pub mod entity_derive;
pub mod expr;
pub mod global;
pub mod ident;
pub mod infer;
pub mod ir;
pub mod lower;
pub mod pattern;
pub mod rule;
pub mod schemas;
pub mod seed;
pub mod strategy;
pub mod values;
pub mod yaml;

use diag::{Diagnostic, Diagnostics, Loc, Severity, Sources};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file written into the output folder.
pub const DEFAULT_FILE_NAME: &str = "perfgen_generated.rs";
/// The config folder of a perfgen project, relative to its root.
pub const DEFAULT_CONFIG_DIR: &str = "eval/performance/configs";
/// Overrides the config folder in [`build_script`].
pub const CONFIG_DIR_ENV: &str = "PERFGEN_CONFIG_DIR";

/// Configures and runs code generation for one config folder.
#[derive(Debug, Clone)]
pub struct Builder {
    config_dir: PathBuf,
    root: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    file_name: String,
    global: global::GlobalConfig,
    schema: schemas::SchemaDir,
}

/// What checking a config folder found: every diagnostic, and the lowered program when
/// there were no errors.
#[derive(Debug)]
pub struct CheckOutcome {
    pub sources: Sources,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The lowered program, when there were no errors.
    pub program: Option<ir::Program>,
    /// Every file and folder read (for `rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
}

impl CheckOutcome {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
    /// Every diagnostic rendered with snippets, as a compiler would print them.
    pub fn render(&self) -> String {
        let mut s = diag::render_all(&self.diagnostics, &self.sources);
        let (e, w) = (self.errors().count(), self.warnings().count());
        if e > 0 {
            s.push_str(&format!("perfgen: {e} error(s), {w} warning(s)\n"));
        }
        s
    }
    /// One `path:line:col: severity: message (help: ...)` line per diagnostic.
    pub fn headlines(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| d.headline(&self.sources))
            .collect()
    }
}

impl Builder {
    /// Generation from the configs in `config_dir` (`*.yaml` and `*.yml`, in name order).
    pub fn new(config_dir: impl Into<PathBuf>) -> Self {
        Builder {
            config_dir: config_dir.into(),
            root: None,
            out_dir: None,
            file_name: DEFAULT_FILE_NAME.into(),
            global: global::GlobalConfig::Auto,
            schema: schemas::SchemaDir::Auto,
        }
    }
    /// Read project-wide defaults from this file (relative paths: from [`Builder::root`])
    /// instead of `<base>/config.yaml` for a config folder `<base>/performance/configs`.
    /// See [`global`].
    pub fn global_config(mut self, path: impl Into<PathBuf>) -> Self {
        self.global = global::GlobalConfig::File(path.into());
        self
    }
    /// Read no global config.
    pub fn no_global_config(mut self) -> Self {
        self.global = global::GlobalConfig::Off;
        self
    }
    /// Check the configs against the schema folder `dir` (relative paths: from
    /// [`Builder::root`]) instead of the one found next to the configs. See [`schemas`].
    pub fn schema_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schema = schemas::SchemaDir::Dir(dir.into());
        self
    }
    /// Check against no schema folder.
    pub fn no_schema(mut self) -> Self {
        self.schema = schemas::SchemaDir::Off;
        self
    }
    /// The folder paths in messages and output files are shown relative to (default: the
    /// current folder).
    pub fn root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }
    /// Where to write the generated file (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }
    /// The generated file's name (default `perfgen_generated.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    fn root_dir(&self) -> PathBuf {
        let root = self
            .root
            .clone()
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
        root.canonicalize().unwrap_or(root)
    }

    /// Load, check and lower; nothing is written.
    pub fn check(&self) -> CheckOutcome {
        let root = self.root_dir();
        let dir = if self.config_dir.is_absolute() {
            self.config_dir.clone()
        } else {
            root.join(&self.config_dir)
        };
        let dir = dir.canonicalize().unwrap_or(dir);
        let shown = |p: &Path| -> String {
            p.strip_prefix(&root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        let mut sources = Sources::default();
        let mut d = Diagnostics::default();
        let mut inputs = vec![dir.clone()];
        let dir_note = sources.add(dir.clone(), shown(&dir), String::new());
        let at_dir = Loc::start_of(dir_note);
        let lookup = global::Lookup {
            config_dir: &dir,
            root: &root,
            shown: &shown,
        };
        let reading = global::Reading {
            sources: &mut sources,
            diags: &mut d,
            inputs: &mut inputs,
        };
        let defaults = global::load(&self.global, &lookup, reading, at_dir);
        let files = config_files(&dir, &mut d, at_dir);

        let mut configs = Vec::new();
        let mut seeds: BTreeMap<PathBuf, Option<seed::SeedDoc>> = BTreeMap::new();
        let mut seed_of = Vec::new();
        for path in &files {
            inputs.push(path.clone());
            let Some(file) = config::read_source(path, shown(path), &mut sources, &mut d, at_dir)
            else {
                continue;
            };
            let Some(tree) = config::parse_file(file, &sources, &mut d) else {
                continue;
            };
            let cfg = config::read_config_with(file, path, &tree, &defaults, &mut d);
            let seed_path = cfg.seed_file.as_ref().map(|s| {
                (
                    config::join_normalized(path.parent().unwrap_or(Path::new(".")), &s.value),
                    s.loc,
                )
            });
            if let Some((sp, loc)) = &seed_path {
                if !seeds.contains_key(sp) {
                    inputs.push(sp.clone());
                    if let Some(parent) = sp.parent() {
                        if !inputs.contains(&parent.to_path_buf()) {
                            inputs.push(parent.to_path_buf());
                        }
                    }
                    let doc = config::read_source(sp, shown(sp), &mut sources, &mut d, *loc)
                        .and_then(|f| {
                            config::parse_seed_file(f, &sources, &mut d)
                                .map(|t| seed::read_seed(f, sp, &t, &mut d))
                        });
                    seeds.insert(sp.clone(), doc);
                }
            }
            seed_of.push(seed_path.map(|(p, _)| p));
            configs.push(cfg);
        }
        let config_errors = d.has_errors();
        // Read even when the configs have errors, so the schema's own are found in the same
        // run; checked against the configs only when both are free of errors.
        let schema_set = self.schema_path(&dir, &root, &mut d, at_dir).map(|p| {
            let reading = schemas::read::Reading {
                sources: &mut sources,
                diags: &mut d,
                inputs: &mut inputs,
                shown: &shown,
            };
            schemas::read_dir(&p, reading, at_dir)
        });
        let program = if config_errors {
            None
        } else {
            let docs: Vec<lower::Doc<'_>> = configs
                .iter()
                .zip(&seed_of)
                .map(|(c, s)| lower::Doc {
                    config: c,
                    seed: s
                        .as_ref()
                        .and_then(|p| seeds.get(p))
                        .and_then(|o| o.as_ref()),
                })
                .collect();
            let program = lower::lower(&docs, &root, &shown(&dir), &mut d);
            if let (Some(p), Some(set)) = (&program, &schema_set) {
                if !d.has_errors() {
                    let side = schemas::check::ConfigSide {
                        configs: &configs,
                        dir: at_dir,
                    };
                    schemas::check(set, p, &side, &mut d);
                    let seeds: Vec<Option<&seed::SeedDoc>> = docs.iter().map(|x| x.seed).collect();
                    let shown_dir = shown(&dir);
                    let with = schemas::kept::Configs {
                        docs: &configs,
                        seeds: &seeds,
                        root: &root,
                        config_dir: &shown_dir,
                    };
                    schemas::kept(set, &with, p, &side, &mut d);
                }
            }
            program
        };
        let program = if d.has_errors() { None } else { program };
        let program = program.map(|mut p| {
            p.default_seed = defaults.seed.as_ref().map(|s| s.value);
            p
        });
        CheckOutcome {
            sources,
            diagnostics: d.into_sorted(),
            program,
            inputs,
        }
    }

    /// The schema folder to check against: the one chosen, or the one found next to the
    /// configs; an error at `at` when a chosen one is not a folder.
    fn schema_path(
        &self,
        dir: &Path,
        root: &Path,
        d: &mut Diagnostics,
        at: Loc,
    ) -> Option<PathBuf> {
        match &self.schema {
            schemas::SchemaDir::Off => None,
            schemas::SchemaDir::Auto => schemas::default_dir(dir),
            schemas::SchemaDir::Dir(p) => {
                let p = if p.is_absolute() {
                    p.clone()
                } else {
                    root.join(p)
                };
                if p.is_dir() {
                    Some(p.canonicalize().unwrap_or(p))
                } else {
                    d.error(
                        at,
                        format!("the schema folder `{}` does not exist", p.display()),
                    )
                    .help(format!(
                        "point `{}` at a folder of entity schemas, or unset it",
                        schemas::SCHEMA_DIR_ENV
                    ));
                    None
                }
            }
        }
    }

    /// The generated Rust source, or the outcome of the check when the configs have errors
    /// (boxed: it holds every source file read).
    pub fn generate(&self) -> Result<(String, CheckOutcome), Box<CheckOutcome>> {
        let outcome = self.check();
        let Some(program) = &outcome.program else {
            return Err(Box::new(outcome));
        };
        let tokens = emit::program(program);
        let note = program.config_dir.clone();
        match emit::format_file(tokens, &note) {
            Ok(code) => Ok((code, outcome)),
            Err(e) => panic!("perfgen-codegen bug: {e}"),
        }
    }

    /// Generate and write the file into the output folder (only when its content changed, so
    /// an unchanged config does not recompile the crate). Returns the outcome of the check.
    pub fn compile(&self) -> Result<CheckOutcome, Box<CheckOutcome>> {
        let (code, outcome) = self.generate()?;
        let out_dir = self
            .out_dir
            .clone()
            .or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from))
            .expect("perfgen-codegen: set `out_dir` or run from a build script (OUT_DIR)");
        let path = out_dir.join(&self.file_name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(code.as_str()) {
            std::fs::write(&path, code).unwrap_or_else(|e| {
                panic!("perfgen-codegen: cannot write `{}`: {e}", path.display())
            });
        }
        Ok(outcome)
    }

    /// [`Builder::compile`] for a build script: prints `cargo::rerun-if-changed` for every
    /// input, each warning as `cargo::warning=` and each error as `cargo::error=` (one line
    /// each, `path:line:col: error: message (help: ...)`), with the full rendering on stderr.
    pub fn compile_for_cargo(&self) {
        let result = self.compile();
        let outcome = match &result {
            Ok(outcome) => outcome,
            Err(outcome) => &**outcome,
        };
        for input in &outcome.inputs {
            println!("cargo::rerun-if-changed={}", input.display());
        }
        eprint!("{}", outcome.render());
        for d in &outcome.diagnostics {
            let line = d.headline(&outcome.sources).replace(['\n', '\r'], " ");
            match d.severity {
                Severity::Error => println!("cargo::error={line}"),
                Severity::Warning => println!("cargo::warning={line}"),
            }
        }
    }
}

/// The `*.yaml` and `*.yml` files of the config folder `dir`, in name order; a folder that
/// cannot be read or holds none is an error at `at_dir`.
fn config_files(dir: &Path, d: &mut Diagnostics, at_dir: Loc) -> Vec<PathBuf> {
    let yaml = |p: &Path| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => {
            let paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            // A link to nothing is a config that went missing: said, not skipped.
            for p in paths
                .iter()
                .filter(|p| yaml(p) && !p.exists() && p.is_symlink())
            {
                let target = std::fs::read_link(p)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                d.error(
                    at_dir,
                    format!(
                        "`{}` is a link to `{target}`, which does not exist",
                        p.display()
                    ),
                )
                .help("restore the file it points at, or remove the link");
            }
            paths
                .into_iter()
                .filter(|p| p.is_file() && yaml(p))
                .collect()
        }
        Err(e) => {
            d.error(at_dir, format!("cannot read the config folder: {e}"))
                .help(format!(
                    "create it, or point `{CONFIG_DIR_ENV}` at a folder of `*_multiply.yaml` files"
                ));
            Vec::new()
        }
    };
    files.sort();
    if files.is_empty() && !d.has_errors() {
        d.error(at_dir, "the config folder has no `.yaml` files")
            .help("add one `<entity>_multiply.yaml` per entity");
    }
    files
}

/// Diagnostics for a config folder, without generating anything (for `perfgen check` and
/// editors).
pub fn check_dir(config_dir: impl Into<PathBuf>) -> CheckOutcome {
    Builder::new(config_dir).check()
}

/// The build script of a perfgen project: configs from `PERFGEN_CONFIG_DIR` (relative to the
/// package root) or `eval/performance/configs`, output `OUT_DIR/perfgen_generated.rs`;
/// project defaults from `PERFGEN_GLOBAL_CONFIG` or `eval/config.yaml` (see [`global`]).
pub fn build_script() {
    println!("cargo::rerun-if-env-changed={CONFIG_DIR_ENV}");
    println!("cargo::rerun-if-env-changed={}", global::GLOBAL_CONFIG_ENV);
    println!("cargo::rerun-if-env-changed={}", schemas::SCHEMA_DIR_ENV);
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = std::env::var_os(CONFIG_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_DIR));
    let mut builder = Builder::new(dir).root(root);
    if let Some(g) = std::env::var_os(global::GLOBAL_CONFIG_ENV).filter(|v| !v.is_empty()) {
        builder = builder.global_config(g);
    }
    if let Some(s) = std::env::var_os(schemas::SCHEMA_DIR_ENV).filter(|v| !v.is_empty()) {
        builder = builder.schema_dir(s);
    }
    builder.compile_for_cargo();
}
