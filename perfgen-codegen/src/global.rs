//! The optional project-wide `config.yaml` (`eval/config.yaml` in this repository):
//! defaults for every entity, read at build time with the configs.
//!
//! ```yaml
//! # eval/config.yaml
//! target_count: 100000          # for configs without their own
//! batch_size: 10000             # likewise
//! seed: 42                      # the default `--seed` of the built binary
//! output_dir: performance/output  # relative to this file: configs without `output_file`
//!                               # write <output_dir>/<config stem minus _multiply>_bulk.csv
//! ```
//! It is found at `<base>/config.yaml` when the config folder is
//! `<base>/performance/configs`, or named explicitly ([`crate::Builder::global_config`], the
//! `PERFGEN_GLOBAL_CONFIG` variable in [`crate::build_script`] and `perfgen check`). A
//! config's own values win. Unknown keys and bad values are positioned errors, like a
//! config's.

use crate::config::{join_normalized, Defaults};
use crate::diag::Spanned;
use crate::diag::{Diagnostics, Loc, Sources};
use crate::values;
use crate::yaml::{check_keys, UnknownKeys};
use crate::yaml::{Key, Yaml};
use std::path::{Path, PathBuf};

/// Names the global config file explicitly (relative to the package root in a build
/// script, to the current folder in `perfgen check`); overrides the automatic lookup.
pub const GLOBAL_CONFIG_ENV: &str = "PERFGEN_GLOBAL_CONFIG";
/// The file looked for in `<base>` for a config folder `<base>/performance/configs`.
pub const FILE_NAME: &str = "config.yaml";

const KEYS: &[&str] = &[
    "target_count",
    "batch_size",
    "seed",
    "output_dir",
    "description",
];

/// Which global config a build reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum GlobalConfig {
    /// `<base>/config.yaml` for a config folder `<base>/performance/configs`, when it exists.
    #[default]
    Auto,
    /// This file (an error when it does not exist).
    File(PathBuf),
    /// None.
    Off,
}

/// `<base>/config.yaml` when `config_dir` is `<base>/performance/configs`.
pub fn default_path(config_dir: &Path) -> Option<PathBuf> {
    if config_dir.file_name()? != "configs" {
        return None;
    }
    let performance = config_dir.parent()?;
    if performance.file_name()? != "performance" {
        return None;
    }
    Some(performance.parent()?.join(FILE_NAME))
}

/// Where a global config is looked for: the config folder (absolute), the project root that
/// relative explicit paths are taken from, and how paths are shown in messages.
pub struct Lookup<'a> {
    pub config_dir: &'a Path,
    pub root: &'a Path,
    pub shown: &'a dyn Fn(&Path) -> String,
}

/// What a build has read so far: the source files, the diagnostics, and the inputs that
/// rerun the build when they change.
pub struct Reading<'a> {
    pub sources: &'a mut Sources,
    pub diags: &'a mut Diagnostics,
    pub inputs: &'a mut Vec<PathBuf>,
}

/// Find and read the global config chosen by `choice` for `at.config_dir`. Adds the file to
/// the inputs when it exists. A missing automatic file is no error; a missing explicit one
/// is, at `loc`.
pub fn load(choice: &GlobalConfig, at: &Lookup<'_>, reading: Reading<'_>, loc: Loc) -> Defaults {
    let Reading {
        sources,
        diags,
        inputs,
    } = reading;
    let (dir, root, shown) = (at.config_dir, at.root, at.shown);
    let path = match choice {
        GlobalConfig::Off => return Defaults::default(),
        GlobalConfig::Auto => match default_path(dir) {
            Some(p) if p.is_file() => p,
            _ => return Defaults::default(),
        },
        GlobalConfig::File(p) if p.is_absolute() => p.clone(),
        GlobalConfig::File(p) => root.join(p),
    };
    let path = path.canonicalize().unwrap_or(path);
    if path.exists() {
        inputs.push(path.clone());
    }
    let Some(file) = crate::config::read_source(&path, shown(&path), sources, diags, loc) else {
        return Defaults::default();
    };
    if sources.get(file).text.trim().is_empty() {
        // An empty global config sets nothing.
        return Defaults {
            path: Some(path),
            ..Defaults::default()
        };
    }
    let Some(tree) = crate::yaml::parse(file, &sources.get(file).text, diags) else {
        return Defaults::default();
    };
    read(&path, &tree, diags)
}

/// Read a global config from its parsed tree.
pub fn read(path: &Path, root: &Yaml, diags: &mut Diagnostics) -> Defaults {
    let mut out = Defaults {
        path: Some(path.to_path_buf()),
        ..Defaults::default()
    };
    let Some(map) = root.as_map() else {
        diags
            .error(root.loc, "the global config must be a mapping")
            .help("write e.g. `target_count: 100000`");
        return out;
    };
    check_keys(map, KEYS, "the global config", UnknownKeys::Reject, diags);
    for (k, v) in map {
        if !KEYS.contains(&k.text.as_str()) || k.text == "description" {
            continue;
        }
        let Some(text) = v.as_str().filter(|_| !v.is_null()) else {
            diags
                .error(
                    v.loc,
                    format!("`{}` must be a value, found {}", k.text, v.kind_name()),
                )
                .help(format!("write `{}: <value>`", k.text));
            continue;
        };
        let at = |value| Spanned { value, loc: v.loc };
        match k.text.as_str() {
            "target_count" => match values::count(text) {
                Some(n) => out.target_count = Some(at(n)),
                None => number_error(diags, v.loc, k, text, ">= 0", "100000"),
            },
            "batch_size" => match values::count(text).filter(|&n| n > 0) {
                Some(n) => out.batch_size = Some(at(n)),
                None => number_error(diags, v.loc, k, text, "> 0", "10000"),
            },
            "seed" => match values::count(text) {
                Some(n) => out.seed = Some(at(n)),
                None => number_error(diags, v.loc, k, text, ">= 0", "42"),
            },
            "output_dir" => {
                if text.trim().is_empty() {
                    diags
                        .error(v.loc, "`output_dir` is empty")
                        .help("write e.g. `output_dir: performance/output`, or remove it");
                } else {
                    let base = path.parent().unwrap_or(Path::new("."));
                    out.output_dir = Some(Spanned {
                        value: join_normalized(base, text),
                        loc: v.loc,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn number_error(diags: &mut Diagnostics, loc: Loc, k: &Key, text: &str, range: &str, eg: &str) {
    diags
        .error(
            loc,
            format!("`{}` must be a whole number {range}, got `{text}`", k.text),
        )
        .help(format!("write e.g. `{}: {eg}`, or remove it", k.text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_only_for_performance_configs() {
        assert_eq!(
            default_path(Path::new("/p/eval/performance/configs")),
            Some(PathBuf::from("/p/eval/config.yaml"))
        );
        assert_eq!(default_path(Path::new("/p/eval/configs")), None);
        assert_eq!(default_path(Path::new("configs")), None);
    }

    #[test]
    fn reads_values_and_reports_unknown_keys() {
        let mut d = Diagnostics::default();
        let text =
            "target_count: 5_000\nseed: 7\noutput_dir: out/csv\nbatchsize: 3\nbatch_size: 0\n";
        let tree = crate::yaml::parse(0, text, &mut d).unwrap();
        let g = read(Path::new("/p/eval/config.yaml"), &tree, &mut d);
        assert_eq!(g.target_count.unwrap().value, 5000);
        assert_eq!(g.seed.unwrap().value, 7);
        assert_eq!(
            g.output_dir.unwrap().value,
            PathBuf::from("/p/eval/out/csv")
        );
        assert!(g.batch_size.is_none());
        let all = d.into_sorted();
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!((all[0].loc.line, all[0].loc.col), (4, 1));
        assert_eq!(all[0].help.as_deref(), Some("did you mean `batch_size`?"));
        assert_eq!((all[1].loc.line, all[1].loc.col), (5, 13));
    }
}
