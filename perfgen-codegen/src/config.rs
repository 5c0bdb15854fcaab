//! Multiply configs, read from a positioned YAML tree into plain structs (seed files are
//! read by [`crate::seed`]), and reading config files from disk. Every problem is recorded;
//! reading carries on past it.

use crate::diag::{Diagnostics, FileId, Loc, Sources, Spanned};
use crate::strategy::FieldStrategy;
use crate::values;
use crate::yaml::{self, check_keys, scalar, Key, UnknownKeys, Yaml};
use std::path::{Component, Path, PathBuf};

/// Values a config takes when it does not set them: the project-wide config's (see
/// [`crate::global`]); all absent when there is none.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// The file they were read from.
    pub path: Option<PathBuf>,
    pub target_count: Option<Spanned<u64>>,
    pub batch_size: Option<Spanned<u64>>,
    pub seed: Option<Spanned<u64>>,
    /// Resolved against the global config's folder.
    pub output_dir: Option<Spanned<PathBuf>>,
}

impl Defaults {
    /// Fill the keys `map` (a config's top level, read into `doc`) does not set.
    pub fn apply(&self, doc: &mut ConfigDoc, map: &[(Key, Yaml)]) {
        let has = |key: &str| map.iter().any(|(k, _)| k.text == key);
        if !has("target_count") && doc.children_of.is_none() {
            if let Some(t) = &self.target_count {
                doc.target_count = Some(t.clone());
            }
        }
        if !has("batch_size") {
            if let Some(b) = &self.batch_size {
                doc.batch_size = Some(b.value);
            }
        }
        if !has("output_file") {
            if let Some(dir) = &self.output_dir {
                let file = dir
                    .value
                    .join(format!("{}_bulk.csv", config_stem(&doc.path)));
                doc.output_file = Some(Spanned {
                    value: file.to_string_lossy().into_owned(),
                    loc: dir.loc,
                });
            }
        }
    }
}

/// `users_multiply.yaml` -> `users`.
pub fn config_stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.strip_suffix("_multiply") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => stem,
    }
}

/// One `*_multiply.yaml`.
#[derive(Debug, Clone)]
pub struct ConfigDoc {
    pub file: FileId,
    pub path: PathBuf,
    pub top: Loc,
    pub entity: Option<Spanned<String>>,
    pub seed_file: Option<Spanned<String>>,
    pub output_file: Option<Spanned<String>>,
    pub target_count: Option<Spanned<u64>>,
    /// `children_of`: the rows are the children of another entity's rows.
    pub children_of: Option<crate::children::ChildrenOf>,
    pub batch_size: Option<u64>,
    pub fields: Vec<FieldSpec>,
    pub validations: Vec<ValidationSpec>,
    /// `unique_together: [[a, b]]`: each group (at its position) of field names as written.
    pub unique_together: Vec<Spanned<Vec<Spanned<String>>>>,
}

/// One entry of `field_strategies`.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: String,
    pub loc: Loc,
    /// The strategy mapping (`strategy: ...` and its parameters), read.
    pub strategy: FieldStrategy,
}

impl FieldSpec {
    /// Field `name` (written at `loc`) with its strategy mapping `body`.
    pub fn read(name: &str, loc: Loc, body: &Yaml) -> Self {
        FieldSpec {
            name: name.to_string(),
            loc,
            strategy: FieldStrategy::read(name, loc, body),
        }
    }
}

/// One entry of `validations`.
#[derive(Debug, Clone)]
pub struct ValidationSpec {
    pub field: Spanned<String>,
    pub rule: Spanned<String>,
    pub reference_entity: Option<Spanned<String>>,
    pub reference_field: Option<Spanned<String>>,
}

const CONFIG_KEYS: &[&str] = &[
    "entity",
    "seed_file",
    "output_file",
    "target_count",
    "children_of",
    "unique_together",
    "batch_size",
    "field_strategies",
    "validations",
    "description",
    "format",
];

const VALIDATION_KEYS: &[&str] = &[
    "field",
    "rule",
    "reference_entity",
    "reference_field",
    "description",
    "message",
];

/// The largest config, seed or global config file read (64 MiB): far beyond any seed file,
/// and a bound on what a mistaken path (`/dev/zero`, a huge log) can make the build read.
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// Why [`read_bounded`] refused a file that exists.
#[derive(Debug)]
pub enum ReadRefusal {
    /// A device, a FIFO, a socket or a folder (after following links): reading it could
    /// block forever or never end.
    NotRegular(&'static str),
    /// Larger than the limit.
    TooLarge(u64),
    Io(std::io::Error),
}

/// The bytes of `path`, which must be a regular file (links followed) of at most `limit`
/// bytes; nothing is opened that is not one, so a FIFO cannot block and a device cannot
/// fill memory.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadRefusal> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(ReadRefusal::Io)?;
    if !meta.is_file() {
        return Err(ReadRefusal::NotRegular(
            perfgen_runtime::output::not_regular_kind(&meta),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(ReadRefusal::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadRefusal::TooLarge(limit));
    }
    Ok(bytes)
}

/// Read a file into `sources`; `None` (after an error at `at`) when it cannot be read.
pub fn read_source(
    path: &Path,
    display: String,
    sources: &mut Sources,
    diags: &mut Diagnostics,
    at: Loc,
) -> Option<FileId> {
    let bytes = match read_bounded(path, MAX_SOURCE_BYTES) {
        Ok(bytes) => Ok(bytes),
        Err(ReadRefusal::Io(e)) => Err(e),
        Err(ReadRefusal::NotRegular(kind)) => {
            diags
                .error(at, format!("`{display}` is {kind}, not a regular file"))
                .help(
                    "name a YAML file; perfgen reads only regular files (links to them are fine)",
                );
            return None;
        }
        Err(ReadRefusal::TooLarge(limit)) => {
            diags
                .error(
                    at,
                    format!(
                        "`{display}` is larger than {} MiB, the most perfgen reads of a config or seed file",
                        limit >> 20
                    ),
                )
                .help("a seed file holds sample records and pools, not the data itself");
            return None;
        }
    };
    match bytes {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(sources.add(path.to_path_buf(), display, text)),
            Err(_) => {
                diags
                    .error(at, format!("`{display}` is not UTF-8 text"))
                    .help("save the file as UTF-8");
                None
            }
        },
        Err(e) => {
            let what = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_string()
            } else {
                format!("cannot be read: {e}")
            };
            diags
                .error(at, format!("`{display}` {what}"))
                .help("paths are relative to the config file's folder");
            None
        }
    }
}

/// Read a multiply config from its parsed tree.
pub fn read_config(file: FileId, path: &Path, root: &Yaml, diags: &mut Diagnostics) -> ConfigDoc {
    read_config_with(file, path, root, &Defaults::default(), diags)
}

/// [`read_config`], with the keys the config does not set taken from a global config.
pub fn read_config_with(
    file: FileId,
    path: &Path,
    root: &Yaml,
    defaults: &Defaults,
    diags: &mut Diagnostics,
) -> ConfigDoc {
    let mut doc = ConfigDoc {
        file,
        path: path.to_path_buf(),
        top: root.loc,
        entity: None,
        seed_file: None,
        output_file: None,
        target_count: None,
        children_of: None,
        unique_together: Vec::new(),
        batch_size: None,
        fields: Vec::new(),
        validations: Vec::new(),
    };
    let Some(map) = root.as_map() else {
        diags
            .error(root.loc, "a multiply config must be a mapping")
            .help("start with `entity: Name`");
        return doc;
    };
    check_keys(
        map,
        CONFIG_KEYS,
        "a multiply config",
        UnknownKeys::Reject,
        diags,
    );
    for (k, v) in map {
        match k.text.as_str() {
            "entity" => doc.entity = scalar(v, "entity", diags),
            "seed_file" => doc.seed_file = scalar(v, "seed_file", diags),
            "output_file" => doc.output_file = scalar(v, "output_file", diags),
            "target_count" => {
                if let Some(s) = scalar(v, "target_count", diags) {
                    match values::count(&s.value) {
                        Some(n) => {
                            doc.target_count = Some(Spanned {
                                value: n,
                                loc: s.loc,
                            })
                        }
                        None => {
                            diags
                                .error(
                                    s.loc,
                                    format!(
                                        "`target_count` must be a whole number >= 0, got `{}`",
                                        s.value
                                    ),
                                )
                                .help("write e.g. `target_count: 100000`");
                        }
                    }
                }
            }
            "batch_size" => {
                if let Some(s) = scalar(v, "batch_size", diags) {
                    match values::count(&s.value).filter(|&n| n > 0) {
                        Some(n) => doc.batch_size = Some(n),
                        None => {
                            diags
                                .error(
                                    s.loc,
                                    format!(
                                        "`batch_size` must be a whole number > 0, got `{}`",
                                        s.value
                                    ),
                                )
                                .help("write e.g. `batch_size: 10000`, or remove it");
                        }
                    }
                }
            }
            "format" => {
                if let Some(s) = scalar(v, "format", diags) {
                    if !s.value.eq_ignore_ascii_case("csv") {
                        diags
                            .error(s.loc, format!("unsupported output format `{}`", s.value))
                            .help("perfgen writes `csv`");
                    }
                }
            }
            "children_of" => doc.children_of = crate::children::read(v, diags),
            "unique_together" => doc.unique_together = read_unique_together(v, diags),
            "field_strategies" => read_fields(v, &mut doc, diags),
            "validations" => read_validations(v, &mut doc.validations, diags),
            _ => {}
        }
    }
    defaults.apply(&mut doc, map);
    report_count_beside_children(&doc, diags);
    report_missing(&doc, map, root.loc, diags);
    doc
}

/// `unique_together: [[a, b], [c, d, e]]`: a list of lists of field names.
fn read_unique_together(v: &Yaml, diags: &mut Diagnostics) -> Vec<Spanned<Vec<Spanned<String>>>> {
    let help = "write a list of field lists, e.g. `unique_together: [[order_id, line]]`";
    let Some(groups) = v.as_seq() else {
        diags
            .error(v.loc, "`unique_together` must be a list of field lists")
            .help(help);
        return Vec::new();
    };
    let mut out = Vec::new();
    for g in groups {
        let Some(names) = g.as_seq() else {
            diags
                .error(
                    g.loc,
                    "each `unique_together` entry must be a list of fields",
                )
                .help(help);
            continue;
        };
        let mut group = Vec::new();
        for n in names {
            match n.as_str().filter(|_| !n.is_null()) {
                Some(s) => group.push(Spanned {
                    value: s.to_string(),
                    loc: n.loc,
                }),
                None => {
                    diags
                        .error(n.loc, "a `unique_together` entry names fields")
                        .help(help);
                }
            }
        }
        out.push(Spanned {
            value: group,
            loc: g.loc,
        });
    }
    out
}

/// `target_count` and `children_of` together: the count of children follows from the parent.
fn report_count_beside_children(doc: &ConfigDoc, diags: &mut Diagnostics) {
    if let (Some(t), Some(c)) = (&doc.target_count, &doc.children_of) {
        let parent = c.entity.as_ref().map_or("the parent", |e| e.value.as_str());
        diags
            .error(t.loc, "`target_count` is not allowed beside `children_of`")
            .help(format!(
                "remove `target_count`: the rows follow from {parent}'s rows and `count` (scale {parent} with `--rows`/`--scale`)"
            ));
    }
}

/// The keys a config needs that neither it nor the defaults set.
fn report_missing(doc: &ConfigDoc, map: &[(Key, Yaml)], at: Loc, diags: &mut Diagnostics) {
    for (key, present) in [
        ("entity", doc.entity.is_some()),
        ("output_file", doc.output_file.is_some()),
        (
            "target_count",
            doc.target_count.is_some() || doc.children_of.is_some(),
        ),
    ] {
        if !present && map.iter().all(|(k, _)| k.text != key) {
            diags.error(at, format!("missing `{key}`")).help(match key {
                "entity" => "add `entity: Name`",
                "output_file" => "add e.g. `output_file: ../output/users_bulk.csv`",
                _ => "add e.g. `target_count: 100000`",
            });
        }
    }
    if map.iter().all(|(k, _)| k.text != "field_strategies") {
        diags
            .error(at, "missing `field_strategies`")
            .help("add `field_strategies:` with one entry per column");
    }
}

fn read_fields(v: &Yaml, doc: &mut ConfigDoc, diags: &mut Diagnostics) {
    let Some(map) = v.as_map() else {
        diags
            .error(
                v.loc,
                format!(
                    "`field_strategies` must be a mapping of field names, found {}",
                    v.kind_name()
                ),
            )
            .help("write `field_strategies:` then `  id:` / `    strategy: uuid_v4`");
        return;
    };
    for (k, body) in map {
        if k.text == "validations" {
            // Rules nested under `field_strategies` (as some configs write them) are read as
            // top-level `validations`, with a warning.
            if body.as_seq().is_some() {
                diags
                    .warning(k.loc, "`validations` nested under `field_strategies` is read as top-level `validations`")
                    .help("move `validations:` to the top level of the config");
                read_validations(body, &mut doc.validations, diags);
                continue;
            }
        }
        if body.as_map().is_none() {
            diags
                .error(
                    body.loc,
                    format!(
                        "field `{}` needs a strategy mapping, found {}",
                        k.text,
                        body.kind_name()
                    ),
                )
                .help("write `strategy: <name>` and its parameters under the field");
            continue;
        }
        doc.fields.push(FieldSpec::read(&k.text, k.loc, body));
    }
}

fn read_validations(v: &Yaml, out: &mut Vec<ValidationSpec>, diags: &mut Diagnostics) {
    let Some(seq) = v.as_seq() else {
        if !v.is_null() {
            diags
                .error(
                    v.loc,
                    format!("`validations` must be a list, found {}", v.kind_name()),
                )
                .help("write `- field: x` / `  rule: \">= 0\"` entries");
        }
        return;
    };
    for item in seq {
        let Some(map) = item.as_map() else {
            diags
                .error(
                    item.loc,
                    "a validation must be a mapping with `field` and `rule`",
                )
                .help("write `- field: updated_at` / `  rule: \">= created_at\"`");
            continue;
        };
        check_keys(
            map,
            VALIDATION_KEYS,
            "a validation",
            UnknownKeys::Reject,
            diags,
        );
        let get = |name: &str, diags: &mut Diagnostics| {
            item.get(name).and_then(|y| scalar(y, name, diags))
        };
        let field = get("field", diags);
        let rule = get("rule", diags);
        let reference_entity = get("reference_entity", diags);
        let reference_field = get("reference_field", diags);
        match (field, rule) {
            (Some(field), Some(rule)) => out.push(ValidationSpec {
                field,
                rule,
                reference_entity,
                reference_field,
            }),
            (f, r) => {
                let missing = if f.is_none() { "field" } else { "rule" };
                if item.get(missing).is_none() {
                    diags
                        .error(item.loc, format!("validation is missing `{missing}`"))
                        .help("each validation needs `field` and `rule`");
                }
                let _ = r;
            }
        }
    }
}

/// `base/rel` with `.` and `..` folded away lexically (the file need not exist yet).
pub fn join_normalized(base: &Path, rel: &str) -> PathBuf {
    let joined = base.join(rel);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Parse a config file already in `sources`.
pub fn parse_file(file: FileId, sources: &Sources, diags: &mut Diagnostics) -> Option<Yaml> {
    parse_text(
        file,
        sources,
        diags,
        "a config needs `entity`, `seed_file`, `output_file`, `target_count` and `field_strategies`",
    )
}

/// Parse a seed file already in `sources`.
pub fn parse_seed_file(file: FileId, sources: &Sources, diags: &mut Diagnostics) -> Option<Yaml> {
    parse_text(
        file,
        sources,
        diags,
        "a seed file needs `entity`, `seed_count` and `records` (a list of example rows)",
    )
}

/// The YAML of `file`, or an error: an empty file (with `empty_help`), or a NUL byte, which
/// no YAML text holds (a binary file, or a file cut by a crash).
fn parse_text(
    file: FileId,
    sources: &Sources,
    diags: &mut Diagnostics,
    empty_help: &str,
) -> Option<Yaml> {
    let text = &sources.get(file).text;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        diags
            .error(Loc::start_of(file), "file is empty")
            .help(empty_help);
        return None;
    }
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
        diags
            .error(Loc { file, line: line as u32, col: col as u32 }, "the file holds a NUL byte: it is not a YAML text file")
            .help("open it in an editor and remove the NUL, or restore the file: a crash or a binary copy may have left it");
        return None;
    }
    yaml::parse(file, text, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_stems() {
        assert_eq!(config_stem(Path::new("c/users_multiply.yaml")), "users");
        assert_eq!(config_stem(Path::new("c/users.yml")), "users");
        assert_eq!(config_stem(Path::new("c/_multiply.yaml")), "_multiply");
    }
}
