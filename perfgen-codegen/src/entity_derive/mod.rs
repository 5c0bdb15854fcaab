//! The entity derive: `#[derive(perfgen::Entity)]` on a struct with `#[perfgen(...)]`
//! attributes, lowered through the same checks and IR as the YAML configs.
//!
//! The attributes are translated into the YAML front end's document model (a
//! [`ConfigDoc`](crate::config::ConfigDoc) whose field bodies are [`Yaml`](crate::yaml::Yaml)
//! mappings with the YAML parameter names, a [`SeedDoc`](crate::seed::SeedDoc) holding
//! `pool = [...]` values), then [`lower::lower_with`](crate::lower::lower_with) runs every
//! check. Each synthesized node gets a [`Loc`] whose `line` indexes a table of the attribute
//! tokens' spans, so a diagnostic of the shared checks is reported at the tokens it came
//! from, with the same message and help as in a YAML file. Nothing is checked twice: this
//! module only reports what the YAML syntax cannot express (attribute syntax, Rust types).
//!
//! A derive sees one struct. A foreign key's parent is another derived type, passed to the
//! checks as an [`External`](crate::lower::External) entity (its name, and the referenced
//! fields with the types this struct declares for them); rustc checks the rest through the
//! generated code: that the parent type exists (`cannot find type`), is derived
//! (`DerivedEntity`), has the field (`*_at`) of that type. See docs/design.md, "Derive front
//! end".
//!
//! The stages, each gated on the previous one having no errors, one private module each:
//! read the attributes (`attrs`: token syntax; `container` and `field`: the keys; `cases`:
//! the branches of `cases(...)`; `parents`: the types a foreign key names) -> the shared
//! checks on the synthesized `documents` -> the declared Rust `types` (`rust_type` reads
//! them; `Option<T>` exactly where a field may be NULL) -> the `impls`.

mod attrs;
mod cases;
mod container;
mod documents;
mod errors;
mod field;
mod impls;
mod parents;
mod rust_type;
#[cfg(test)]
mod tests;
mod types;

use crate::config::ValidationSpec;
use crate::diag::Loc;
use crate::ir::Program;
use attrs::unraw;
use container::Container;
use errors::{render, Errors, SpanTable};
use field::FieldAttrs;
use parents::Parent;
use proc_macro2::TokenStream;
use syn::spanned::Spanned as _;

/// `#[derive(perfgen::Entity)]`: the impls for `input`, or `compile_error!`s at the
/// offending tokens.
pub fn entity(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.into_compile_error(),
    };
    match expand(&input) {
        Ok(tokens) => tokens,
        Err(errors) => errors.into_compile_error(),
    }
}

/// One struct's attributes, read: what the shared checks and the emission need.
struct EntityAttrs<'a> {
    ident: &'a syn::Ident,
    /// The entity's name: the struct's, without `r#`.
    name: String,
    /// Where the struct's name is: the top of its documents.
    top: Loc,
    container: Container,
    fields: Vec<FieldAttrs>,
    parents: Vec<Parent>,
}

impl EntityAttrs<'_> {
    /// The struct-level rules, then each field's, in field order.
    fn rules(&self) -> impl Iterator<Item = &ValidationSpec> {
        all_rules(&self.container, &self.fields)
    }
}

fn all_rules<'a>(
    container: &'a Container,
    fields: &'a [FieldAttrs],
) -> impl Iterator<Item = &'a ValidationSpec> {
    container
        .rules
        .iter()
        .chain(fields.iter().flat_map(|f| f.rules.iter()))
}

fn expand(input: &syn::DeriveInput) -> Result<TokenStream, syn::Error> {
    let mut errors = Errors::default();
    let named = named_fields(input)?;
    if !input.generics.params.is_empty() {
        errors.help(
            input.generics.span(),
            "`perfgen::Entity` cannot be derived for a generic struct",
            "remove the generic parameters",
        );
    }
    let mut spans = SpanTable::default();
    let entity = read_entity(input, named, &mut spans, &mut errors);
    if errors.fatal {
        return Err(errors.all.take().expect("a syntax error was recorded"));
    }
    let program = documents::lower(&entity, &spans, &mut errors);
    if let Some(e) = errors.all.take() {
        return Err(e);
    }
    let mut program = program.expect("no errors, so lowered");
    let index = name_types(&mut program, &entity);
    types::check_types(
        &program,
        index,
        &entity.fields,
        &entity.container,
        &mut errors,
    );
    if let Some(e) = errors.all.take() {
        return Err(e);
    }
    Ok(impls::entity_impls(&program, index, &entity))
}

/// The struct's named fields, or the error that it is not a struct with named fields.
fn named_fields(input: &syn::DeriveInput) -> Result<&syn::FieldsNamed, syn::Error> {
    match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => Ok(named),
        _ => Err(syn::Error::new(
            input.ident.span(),
            render(
                "`perfgen::Entity` can only be derived for a struct with named fields",
                Some("write `struct Name { field: Type, ... }`"),
            ),
        )),
    }
}

/// The struct's and its fields' attributes, and the parents they reference.
fn read_entity<'a>(
    input: &'a syn::DeriveInput,
    named: &syn::FieldsNamed,
    spans: &mut SpanTable,
    errors: &mut Errors,
) -> EntityAttrs<'a> {
    let ident = &input.ident;
    let name = unraw(ident);
    let top = spans.loc(ident.span());
    let container = container::read_container(input, spans, errors);
    let fields: Vec<FieldAttrs> = named
        .named
        .iter()
        .filter_map(|f| field::read_field(f, spans, errors))
        .collect();
    if container.rows.is_none() {
        errors.help(
            ident.span(),
            &format!("`{name}` has no row count"),
            "add `#[perfgen(rows = 1000)]` on the struct (the YAML `target_count`)",
        );
    }
    let mut parents = parents::from_foreign_keys(&name, &fields, spans, errors);
    parents::add_rule_references(&mut parents, all_rules(&container, &fields), &fields);
    EntityAttrs {
        ident,
        name,
        top,
        container,
        fields,
        parents,
    }
}

/// Names the program's entities by their Rust types: the struct by its name, each parent by
/// its alias. Returns the struct's index.
fn name_types(program: &mut Program, entity: &EntityAttrs<'_>) -> usize {
    let name = &entity.name;
    let index = program
        .entities
        .iter()
        .position(|e| e.name == *name)
        .expect("the derived entity is in its program");
    program.entities[index].type_name = name.clone();
    for e in program.entities.iter_mut() {
        if let Some(p) = entity
            .parents
            .iter()
            .find(|p| p.name == e.name && e.name != *name)
        {
            e.type_name = p.alias.to_string();
        }
    }
    index
}
