//! One entity's [`TableSchema`]: its columns, constraints and rule queries.

use crate::columns::{is_fk_target, is_key, primary_key, sql_type};
use crate::names::{one_line, table_name};
use crate::rule_sql::{parent_alias, parent_paths, reads_parent, RuleSql};
use crate::Dialect;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{Rule, Strategy};
use perfgen_runtime::time::Timestamp;
use std::fmt::Write as _;
use std::path::Path;

/// A query that counts the rows breaking a rule no constraint can hold; 0 when the data is
/// right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleQuery {
    /// The table whose rows are checked (unquoted).
    pub table: String,
    /// What is checked, one line, e.g. `orders.created_at >= user.created_at`.
    pub what: String,
    /// `SELECT count(*) FROM ...`, without a semicolon.
    pub sql: String,
}

/// One entity's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    /// Catalog position of the entity.
    pub entity: usize,
    /// Table name, unquoted (see [`crate::names::table_name`]).
    pub name: String,
    /// The table name as written in SQL.
    pub sql_name: String,
    /// The CSV file's name (`users_bulk.csv`).
    pub file_name: String,
    /// Column names as written in SQL, in CSV order.
    pub columns: Vec<String>,
    /// Column types (`uuid`, `integer`, `numeric(18, 2)`, ...), in CSV order.
    pub types: Vec<String>,
    /// Comment lines (without `-- `) explaining choices, written before the statement.
    pub notes: Vec<String>,
    /// `CREATE TABLE ...;`, with every constraint.
    pub create: String,
    /// The same without PRIMARY KEY, UNIQUE and FOREIGN KEY (columns, NOT NULL, CHECK):
    /// for a bulk load that adds the keys after the rows, in the same transaction.
    pub create_without_keys: String,
    /// `ALTER TABLE ... ADD PRIMARY KEY ..., ADD UNIQUE ..., ADD FOREIGN KEY ...;`, or
    /// `None` when the table has no keys.
    pub add_keys: Option<String>,
    /// The same with columns and NOT NULL only: for a load that adds every constraint
    /// after the rows ([`TableSchema::deferred`]).
    pub create_bare: String,
    /// Every constraint as `pg_restore` adds them after the rows: primary and unique keys,
    /// then foreign keys, then CHECKs; one `ALTER TABLE` per kind the table has.
    pub deferred: Vec<DeferredStep>,
    /// The primary and unique keys one by one (PostgreSQL): for a load that builds their
    /// indexes side by side, a connection each, and then attaches them (`attach_keys`).
    pub key_indexes: Vec<KeyIndex>,
    /// `ALTER TABLE ... ADD FOREIGN KEY ...;` alone, or `None` when the table has none.
    pub add_foreign_keys: Option<String>,
    /// Rules of this table that no constraint holds.
    pub queries: Vec<RuleQuery>,
}

/// The [`DeferredStep::what`] of the primary and unique keys.
pub const KEYS_STEP: &str = "primary and unique keys";

/// One kind of constraint added after the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredStep {
    /// `primary and unique keys`, `foreign keys` or `checks`.
    pub what: &'static str,
    /// `ALTER TABLE ... ADD ..., ADD ...;`
    pub sql: String,
}

/// A primary or unique key whose index is built apart from the table's other keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyIndex {
    /// The name PostgreSQL would give the constraint (`users_pkey`), unquoted; the index
    /// takes it too, as it does when PostgreSQL builds it.
    pub name: String,
    /// `CREATE UNIQUE INDEX name ON table (cols)`.
    pub create: String,
    /// `ADD CONSTRAINT name PRIMARY KEY USING INDEX name` (or `UNIQUE`).
    pub attach: String,
}

impl TableSchema {
    /// `name (col, col, ...)`: the target of a `COPY`.
    pub fn copy_target(&self) -> String {
        format!("{} ({})", self.sql_name, self.columns.join(", "))
    }

    /// `ALTER TABLE ... ADD CONSTRAINT ... USING INDEX ..., ...;`: the keys of
    /// `key_indexes` made constraints once their indexes are built; `None` without keys.
    pub fn attach_keys(&self) -> Option<String> {
        let adds: Vec<String> = self
            .key_indexes
            .iter()
            .map(|k| format!("    {}", k.attach))
            .collect();
        (!adds.is_empty()).then(|| format!("ALTER TABLE {}\n{};", self.sql_name, adds.join(",\n")))
    }
}
/// One table being built: its name and `now`, then the columns, constraints, notes and
/// rule queries as they are found.
struct TableBuilder<'a> {
    catalog: &'a Catalog,
    index: usize,
    info: &'a EntityInfo,
    name: String,
    sql_name: String,
    now: Option<Timestamp>,
    pk: Option<usize>,
    notes: Vec<String>,
    items: Vec<String>,
    types: Vec<String>,
    constraints: Vec<String>,
    /// The primary and unique keys among `constraints`, by field: (primary, fields).
    keys: Vec<(bool, Vec<usize>)>,
    queries: Vec<RuleQuery>,
    dialect: Dialect,
}

/// The table of entity `index`; `now_arg` is `--now` (see `tables`).
pub(crate) fn table(
    catalog: &Catalog,
    index: usize,
    now_arg: Option<Timestamp>,
    dialect: Dialect,
) -> TableSchema {
    let info = &catalog.entities[index];
    let name = table_name(info);
    let mut t = TableBuilder {
        catalog,
        index,
        info,
        sql_name: dialect.ident(&name),
        dialect,
        name,
        now: info.generated_at.map(Timestamp).or(now_arg),
        pk: primary_key(info),
        notes: Vec::new(),
        items: Vec::new(),
        types: Vec::new(),
        constraints: Vec::new(),
        keys: Vec::new(),
        queries: Vec::new(),
    };
    t.columns();
    t.keys();
    t.foreign_keys();
    t.rules();
    t.finish()
}

impl TableBuilder<'_> {
    /// Each column with its type; NOT NULL unless it may be NULL (its `null_rate`, or a
    /// field it is computed from). An empty string is written `""`, which COPY's CSV format
    /// reads as an empty string, not a NULL.
    fn columns(&mut self) {
        let (catalog, index, info) = (self.catalog, self.index, self.info);
        for (j, f) in info.fields.iter().enumerate() {
            let col = self.dialect.ident(f.name);
            let places = match f.spec.column {
                perfgen_runtime::spec::ColumnType::Decimal(p) => p,
                _ => 0,
            };
            let keyed = f.spec.unique
                || self.pk == Some(j)
                || is_fk_target(catalog, index, j)
                || matches!(f.spec.strategy, Strategy::ForeignKey { .. })
                || self.info.unique_together.iter().any(|g| g.contains(&j));
            let ty = self
                .dialect
                .column_type(&sql_type(catalog, index, j), places, keyed);
            self.types.push(ty.clone());
            if f.spec.nulls.nullable {
                self.items.push(format!("{col} {ty}"));
            } else {
                self.items.push(format!("{col} {ty} NOT NULL"));
            }
        }
    }

    /// PRIMARY KEY, and UNIQUE on unique fields, on the uuid and sequence fields foreign
    /// keys reference, and on each `unique_together` group.
    fn keys(&mut self) {
        let (catalog, index, info, pk) = (self.catalog, self.index, self.info, self.pk);
        let children = crate::columns::children_key(catalog, index).map(|(k, p)| vec![k, p]);
        // Without a key of its own: a `unique_together` group never NULL (a join table
        // keyed by both parents).
        let group_key = info
            .unique_together
            .iter()
            .find(|g| g.iter().all(|&j| !info.fields[j].spec.nulls.nullable))
            .map(|g| g.to_vec());
        let mut keyed_group = None;
        match (pk, &children) {
            (Some(j), _) => self.key(true, vec![j]),
            (None, Some(pair)) => self.key(true, pair.clone()),
            (None, None) => match group_key {
                Some(group) => {
                    self.key(true, group.clone());
                    keyed_group = Some(group);
                }
                None => self.notes.push(format!(
                    "no PRIMARY KEY: `{}` has no uuid_v4 field.",
                    info.name
                )),
            },
        }
        if let (Some(_), Some(pair)) = (pk, &children) {
            self.key(false, pair.clone());
        }
        for (j, f) in info.fields.iter().enumerate() {
            if Some(j) != pk && (f.spec.unique || is_fk_target(catalog, index, j)) {
                self.key(false, vec![j]);
            }
        }
        // `unique_together` (the fan-out's (key, position) pair is keyed above).
        for group in info.unique_together {
            if children.as_deref() != Some(group) && keyed_group.as_deref() != Some(group) {
                self.key(false, group.to_vec());
            }
        }
    }

    /// `PRIMARY KEY (cols)` or `UNIQUE (cols)` on `fields`.
    fn key(&mut self, primary: bool, fields: Vec<usize>) {
        let cols: Vec<String> = fields
            .iter()
            .map(|&j| self.dialect.ident(self.info.fields[j].name))
            .collect();
        let kind = if primary { "PRIMARY KEY" } else { "UNIQUE" };
        self.constraints
            .push(format!("{kind} ({})", cols.join(", ")));
        self.keys.push((primary, fields));
    }

    /// FOREIGN KEY on each foreign key whose target is unique; a query for the others.
    fn foreign_keys(&mut self) {
        let (catalog, info) = (self.catalog, self.info);
        let d = self.dialect;
        let (name, sql_name) = (self.name.clone(), self.sql_name.clone());
        let composite = info.composite_foreign_keys();
        for (parent, group) in &composite {
            self.composite_key(*parent, group);
        }
        for (j, f) in info.fields.iter().enumerate() {
            // A member of a composite key is constrained with its group.
            if composite.iter().any(|(_, g)| g.contains(&j)) {
                continue;
            }
            let Strategy::ForeignKey {
                parent,
                parent_field,
                ..
            } = f.spec.strategy
            else {
                continue;
            };
            let Some(p) = catalog.entities.get(parent) else {
                continue;
            };
            let ptable = d.ident(&table_name(p));
            let pcol = d.ident(p.fields[parent_field].name);
            let col = d.ident(f.name);
            if is_key(catalog, parent, parent_field) {
                self.constraints
                    .push(format!("FOREIGN KEY ({col}) REFERENCES {ptable} ({pcol})"));
            } else {
                self.notes.push(format!(
                    "{col} references {ptable} ({pcol}), which is not unique: no FOREIGN KEY (PostgreSQL needs a unique target); a query at the end checks it."
                ));
                self.queries.push(RuleQuery {
                    table: name.clone(),
                    what: format!("every {name}.{} is in {}.{}", f.name, table_name(p), p.fields[parent_field].name),
                    sql: format!(
                        "SELECT count(*) FROM {sql_name} AS c WHERE c.{col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {ptable} AS p WHERE p.{pcol} = c.{col})"
                    ),
                });
            }
        }
    }

    /// `FOREIGN KEY (a, b) REFERENCES p (x, y)` when the parent has a key on exactly those
    /// columns (a `unique_together` group, or a fan-out's (key, position)), in that key's
    /// column order; else a note and a query counting the rows that name no parent row.
    fn composite_key(&mut self, parent: usize, group: &[usize]) {
        let (catalog, info) = (self.catalog, self.info);
        let d = self.dialect;
        let p = &catalog.entities[parent];
        let target = |j: usize| match info.fields[j].spec.strategy {
            Strategy::ForeignKey { parent_field, .. } => parent_field,
            _ => unreachable!("composite keys are foreign keys"),
        };
        let pairs: Vec<(usize, usize)> = group.iter().map(|&j| (j, target(j))).collect();
        let mut keys: Vec<Vec<usize>> = p.unique_together.iter().map(|g| g.to_vec()).collect();
        if let Some((k, pos)) = crate::columns::children_key(catalog, parent) {
            keys.push(vec![k, pos]);
        }
        let same_set = |key: &Vec<usize>| {
            key.len() == pairs.len() && pairs.iter().all(|(_, t)| key.contains(t))
        };
        let ptable = d.ident(&table_name(p));
        if let Some(key) = keys.iter().find(|k| same_set(k)) {
            let (own, theirs): (Vec<String>, Vec<String>) = key
                .iter()
                .map(|t| {
                    let (j, _) = pairs.iter().find(|(_, pt)| pt == t).expect("same set");
                    (d.ident(info.fields[*j].name), d.ident(p.fields[*t].name))
                })
                .unzip();
            self.constraints.push(format!(
                "FOREIGN KEY ({}) REFERENCES {ptable} ({})",
                own.join(", "),
                theirs.join(", ")
            ));
            return;
        }
        let own: Vec<String> = pairs
            .iter()
            .map(|(j, _)| d.ident(info.fields[*j].name))
            .collect();
        let theirs: Vec<String> = pairs
            .iter()
            .map(|(_, t)| d.ident(p.fields[*t].name))
            .collect();
        self.notes.push(format!(
            "({}) references {ptable} ({}), which is not a key of it: no FOREIGN KEY (PostgreSQL needs a unique target: declare `unique_together: [[{}]]` on `{}`); a query at the end checks it.",
            own.join(", "),
            theirs.join(", "),
            pairs.iter().map(|(_, t)| p.fields[*t].name).collect::<Vec<_>>().join(", "),
            p.name
        ));
        let not_null: Vec<String> = own.iter().map(|c| format!("c.{c} IS NOT NULL")).collect();
        let matches: Vec<String> = own
            .iter()
            .zip(&theirs)
            .map(|(c, t)| format!("p.{t} = c.{c}"))
            .collect();
        self.queries.push(RuleQuery {
            table: self.name.clone(),
            what: format!(
                "every ({}) of {} is a row of {}",
                pairs.iter().map(|(j, _)| info.fields[*j].name).collect::<Vec<_>>().join(", "),
                self.name,
                table_name(p)
            ),
            sql: format!(
                "SELECT count(*) FROM {} AS c WHERE {} AND NOT EXISTS (SELECT 1 FROM {ptable} AS p WHERE {})",
                self.sql_name,
                not_null.join(" AND "),
                matches.join(" AND ")
            ),
        });
    }

    /// A CHECK per rule that reads only its own row; a query per rule that reads the parent.
    fn rules(&mut self) {
        let info = self.info;
        let name = self.name.clone();
        for (j, f) in info.fields.iter().enumerate() {
            for rule in f.spec.rules {
                if rule.any_of.is_empty() {
                    continue;
                }
                let what = format!("{name}.{} {}", f.name, one_line(rule.text));
                if reads_parent(rule) {
                    self.rule_query(j, rule, what);
                } else {
                    self.rule_check(j, rule, &what);
                }
            }
        }
    }

    /// The query counting the rows that break `rule` of field `j`, which reads the parent.
    fn rule_query(&mut self, j: usize, rule: &Rule, what: String) {
        let (catalog, index, info, now) = (self.catalog, self.index, self.info, self.now);
        let d = self.dialect;
        let (name, sql_name) = (self.name.clone(), self.sql_name.clone());
        let r = RuleSql {
            catalog,
            entity: index,
            now,
            row: "c.",
            dialect: d,
        };
        let Some(expr) = r.rule(j, rule) else {
            self.notes.push(format!(
                "rule `{what}` uses `now`, but `{}` has no generated_at: pass --now to check it.",
                info.name
            ));
            return;
        };
        let mut from = format!("{sql_name} AS c");
        // Shorter paths first (a BTreeSet of paths orders prefixes first): each join's row
        // is joined before the next step reads its key.
        for path in parent_paths(rule) {
            let (fk, via) = (path[0], &path[1..]);
            // The row holding the key of this step, and the key field in it.
            let (holder, holder_alias, key) = match via.split_last() {
                None => (index, "c".to_string(), fk),
                Some((&last, before)) => {
                    let Some(h) = catalog.reached_through(index, fk, before) else {
                        return;
                    };
                    (h, parent_alias(fk, before), last)
                }
            };
            let Strategy::ForeignKey {
                parent,
                parent_field,
                ..
            } = catalog.entities[holder].fields[key].spec.strategy
            else {
                return;
            };
            let p = &catalog.entities[parent];
            let alias = parent_alias(fk, via);
            let _ = write!(
                from,
                " JOIN {} AS {alias} ON {alias}.{} = {holder_alias}.{}",
                d.ident(&table_name(p)),
                d.ident(p.fields[parent_field].name),
                d.ident(catalog.entities[holder].fields[key].name)
            );
        }
        let sql = format!("SELECT count(*) FROM {from} WHERE NOT ({expr})");
        if !self.queries.iter().any(|q: &RuleQuery| q.sql == sql) {
            self.queries.push(RuleQuery {
                table: name.clone(),
                what,
                sql,
            });
        }
    }

    /// The CHECK of `rule` of field `j`, which reads only its own row.
    fn rule_check(&mut self, j: usize, rule: &Rule, what: &str) {
        let (catalog, index, info, now) = (self.catalog, self.index, self.info, self.now);
        let r = RuleSql {
            catalog,
            entity: index,
            now,
            row: "",
            dialect: self.dialect,
        };
        match r.rule(j, rule) {
            Some(expr) => {
                // A rule given twice (`constraint:` and `validations:`) is one CHECK.
                let check = format!("CHECK ({expr})");
                if !self.constraints.contains(&check) {
                    self.constraints.push(check);
                }
            }
            None => self.notes.push(format!(
                "no CHECK for rule `{what}`: it uses `now` and `{}` has no generated_at; pass --now.",
                info.name
            )),
        }
    }

    /// The statements: CREATE TABLE with and without keys, and ALTER TABLE adding them.
    fn finish(self) -> TableSchema {
        let TableBuilder {
            info,
            index,
            name,
            sql_name,
            notes,
            items,
            types,
            constraints,
            keys: key_fields,
            queries,
            dialect: d,
            ..
        } = self;
        let create_with = |constraints: Vec<&String>| -> String {
            let body: Vec<String> = items
                .iter()
                .chain(constraints)
                .map(|s| format!("    {s}"))
                .collect();
            // MySQL: utf8mb4 whatever the server's default, so that text compares bytewise
            // with utf8mb4_bin in CHECKs and holds every character the generator writes.
            let options = match d {
                Dialect::Postgres => "",
                Dialect::Mysql => " DEFAULT CHARSET=utf8mb4",
            };
            format!(
                "CREATE TABLE {sql_name} (\n{}\n){options};",
                body.join(",\n")
            )
        };
        let create = create_with(constraints.iter().collect());
        let create_without_keys = create_with(
            constraints
                .iter()
                .filter(|c| c.starts_with("CHECK"))
                .collect(),
        );
        let keys: Vec<String> = constraints
            .iter()
            .filter(|c| !c.starts_with("CHECK"))
            .map(|c| format!("    ADD {c}"))
            .collect();
        let add_keys =
            (!keys.is_empty()).then(|| format!("ALTER TABLE {sql_name}\n{};", keys.join(",\n")));
        let create_bare = create_with(Vec::new());
        // Each kind, by the words its constraints start with.
        let kinds: [(&'static str, &[&str]); 3] = [
            (KEYS_STEP, &["PRIMARY KEY", "UNIQUE"]),
            ("foreign keys", &["FOREIGN KEY"]),
            ("checks", &["CHECK"]),
        ];
        let deferred = kinds
            .into_iter()
            .filter_map(|(what, starts)| {
                let adds: Vec<String> = constraints
                    .iter()
                    .filter(|c| starts.iter().any(|s| c.starts_with(s)))
                    .map(|c| format!("    ADD {c}"))
                    .collect();
                (!adds.is_empty()).then(|| DeferredStep {
                    what,
                    sql: format!("ALTER TABLE {sql_name}\n{};", adds.join(",\n")),
                })
            })
            .collect();
        let mut key_indexes: Vec<KeyIndex> = Vec::with_capacity(key_fields.len());
        for (primary, fields) in &key_fields {
            let raw: Vec<&str> = fields.iter().map(|&j| info.fields[j].name).collect();
            let taken: Vec<String> = key_indexes.iter().map(|k| k.name.clone()).collect();
            let name = crate::names::default_key_name(&name, &raw, *primary, &taken);
            let quoted = d.ident(&name);
            let cols: Vec<String> = raw.iter().map(|c| d.ident(c)).collect();
            let kind = if *primary { "PRIMARY KEY" } else { "UNIQUE" };
            key_indexes.push(KeyIndex {
                create: format!(
                    "CREATE UNIQUE INDEX {quoted} ON {sql_name} ({})",
                    cols.join(", ")
                ),
                attach: format!("ADD CONSTRAINT {quoted} {kind} USING INDEX {quoted}"),
                name,
            });
        }
        let foreign: Vec<String> = constraints
            .iter()
            .filter(|c| c.starts_with("FOREIGN KEY"))
            .map(|c| format!("    ADD {c}"))
            .collect();
        let add_foreign_keys = (!foreign.is_empty())
            .then(|| format!("ALTER TABLE {sql_name}\n{};", foreign.join(",\n")));
        TableSchema {
            entity: index,
            name,
            sql_name,
            file_name: Path::new(info.output_file)
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            columns: info.fields.iter().map(|f| d.ident(f.name)).collect(),
            types,
            notes,
            create,
            create_without_keys,
            add_keys,
            create_bare,
            deferred,
            key_indexes,
            add_foreign_keys,
            queries,
        }
    }
}
