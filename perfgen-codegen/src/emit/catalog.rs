//! The plain-data description of each field (`spec::FieldSpec`) in the catalog, read by the
//! tools that must not use the generation path (verify, schema, list).

use super::*;

/// `spec::FieldSpec { .. }` of field `f`.
pub(super) fn field_spec(rt: &syn::Path, f: &Field) -> TokenStream {
    let sp = quote!(#rt::spec);
    let column = match f.ty {
        Ty::Uuid => quote!(#sp::ColumnType::Uuid),
        Ty::Int => quote!(#sp::ColumnType::Integer),
        Ty::Decimal(p) => quote!(#sp::ColumnType::Decimal(#p)),
        Ty::Timestamp => quote!(#sp::ColumnType::Timestamp),
        Ty::Str | Ty::String => quote!(#sp::ColumnType::Text),
        Ty::Bool => quote!(#sp::ColumnType::Boolean),
        Ty::Date => quote!(#sp::ColumnType::Date),
    };
    let strategy = strategy(rt, &sp, &f.strategy);
    let rules = f.rules.iter().map(|r| rule(&sp, r));
    let unique = f.unique;
    let nulls = if f.nullable {
        let rate = f64_lit(f.null_rate);
        quote!(#sp::Nulls { rate: #rate, nullable: true })
    } else {
        quote!(#sp::Nulls::NEVER)
    };
    quote!(#sp::FieldSpec { column: #column, strategy: #strategy, unique: #unique, rules: &[#(#rules),*], nulls: #nulls })
}

/// `spec::TimeSpec::..` of `t`.
fn time(sp: &TokenStream, t: TimeSpec) -> TokenStream {
    match t {
        TimeSpec::At(v) => quote!(#sp::TimeSpec::At(#v)),
        TimeSpec::Now(v) => quote!(#sp::TimeSpec::Now(#v)),
    }
}

/// `spec::Strategy::..` of `s`.
fn strategy(rt: &syn::Path, sp: &TokenStream, s: &Strategy) -> TokenStream {
    match s {
        Strategy::External => unreachable!("fields of external entities are not emitted"),
        Strategy::UuidV4 => quote!(#sp::Strategy::UuidV4),
        Strategy::Pool {
            values,
            distribution: dist,
        } => {
            let d = match dist {
                PoolDistribution::Uniform => quote!(#sp::PoolDistribution::Uniform),
                PoolDistribution::Zipf { alpha } => {
                    quote!(#sp::PoolDistribution::Zipf { alpha: #alpha })
                }
                PoolDistribution::Weighted(w) => {
                    quote!(#sp::PoolDistribution::Weighted(&[#(#w),*]))
                }
            };
            quote!(#sp::Strategy::Pool { values: &[#(#values),*], distribution: #d })
        }
        Strategy::Normal {
            mean,
            stddev,
            min,
            max,
            precision,
            integer,
        } => {
            let (mn, mx) = (f64_lit(*min), f64_lit(*max));
            quote!(#sp::Strategy::Normal { mean: #mean, stddev: #stddev, min: #mn, max: #mx, integer: #integer, precision: #precision })
        }
        Strategy::Range {
            start,
            end,
            distribution: dist,
        } => {
            let (a, b) = (time(sp, *start), time(sp, *end));
            let d = match dist {
                RangeDistribution::Linear => quote!(#sp::RangeDistribution::Linear),
                RangeDistribution::Uniform => quote!(#sp::RangeDistribution::Uniform),
                RangeDistribution::Exponential { rate } => {
                    quote!(#sp::RangeDistribution::Exponential { rate: #rate })
                }
            };
            quote!(#sp::Strategy::Range { start: #a, end: #b, distribution: #d })
        }
        Strategy::AddDuration { base, min, max } => {
            quote!(#sp::Strategy::AddDuration { base: #base, min: #min, max: #max })
        }
        Strategy::Template {
            pieces: parts,
            case,
        } => {
            let pieces = parts.iter().map(|p| match p {
                TemplatePiece::Literal(s) => quote!(#sp::TemplatePiece::Literal(#s)),
                TemplatePiece::Field(j) => quote!(#sp::TemplatePiece::Field(#j)),
                TemplatePiece::Index => quote!(#sp::TemplatePiece::Index),
                TemplatePiece::Choice(v) => quote!(#sp::TemplatePiece::Choice(&[#(#v),*])),
                TemplatePiece::Formatted(nf) => {
                    let source = match nf.source {
                        NumberSource::Index => quote!(#sp::NumberSource::Index),
                        NumberSource::Field(j) => quote!(#sp::NumberSource::Field(#j)),
                    };
                    let (offset, width, zero_pad) = (nf.offset, nf.width, nf.zero_pad);
                    quote!(#sp::TemplatePiece::Formatted(#sp::NumberFormat { source: #source, offset: #offset, width: #width, zero_pad: #zero_pad }))
                }
            });
            let c = match case {
                Case::Preserve => quote!(#sp::Case::Preserve),
                Case::Lower => quote!(#sp::Case::Lower),
                Case::Upper => quote!(#sp::Case::Upper),
            };
            quote!(#sp::Strategy::Template { pieces: &[#(#pieces),*], case: #c })
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            distribution: dist,
            filter: Some(flt),
        } => {
            let law = match dist {
                ForeignKeyDistribution::Zipf { alpha } => {
                    quote!(#sp::FilteredLaw::Zipf { alpha: #alpha })
                }
                ForeignKeyDistribution::Sequential => quote!(#sp::FilteredLaw::Sequential),
                _ => quote!(#sp::FilteredLaw::Uniform),
            };
            let on = match flt.on_filtered {
                crate::ir::OnFiltered::Redraw => quote!(#sp::OnFiltered::Redraw),
                crate::ir::OnFiltered::Next => quote!(#sp::OnFiltered::Next),
            };
            let (text, reads) = (&flt.text, &flt.reads);
            quote!(#sp::Strategy::ForeignKey { parent: #parent, parent_field: #parent_field, distribution: #sp::ForeignKeyDistribution::Filtered { law: #law, filter: #text, reads: &[#(#reads),*], on_filtered: #on } })
        }
        Strategy::ForeignKey {
            parent,
            parent_field,
            distribution: dist,
            filter: None,
        } => {
            let d = match dist {
                ForeignKeyDistribution::Uniform => quote!(#sp::ForeignKeyDistribution::Uniform),
                ForeignKeyDistribution::Zipf { alpha } => {
                    quote!(#sp::ForeignKeyDistribution::Zipf { alpha: #alpha })
                }
                ForeignKeyDistribution::OneToOne => quote!(#sp::ForeignKeyDistribution::OneToOne),
                ForeignKeyDistribution::FanOut => quote!(#sp::ForeignKeyDistribution::FanOut),
                ForeignKeyDistribution::Sequential => {
                    quote!(#sp::ForeignKeyDistribution::Sequential)
                }
                ForeignKeyDistribution::SelfReference { max_depth } => {
                    quote!(#sp::ForeignKeyDistribution::SelfReference { max_depth: #max_depth })
                }
                ForeignKeyDistribution::Distinct => quote!(#sp::ForeignKeyDistribution::Distinct),
                ForeignKeyDistribution::SameParentAs { field } => {
                    quote!(#sp::ForeignKeyDistribution::SameParentAs { field: #field })
                }
                ForeignKeyDistribution::Filtered { .. } => {
                    unreachable!("the IR keeps a filter beside the law")
                }
            };
            quote!(#sp::Strategy::ForeignKey { parent: #parent, parent_field: #parent_field, distribution: #d })
        }
        Strategy::RandomString {
            alphabet,
            min_length,
            max_length,
        } => {
            let alphabet: String = alphabet.iter().collect();
            quote!(#sp::Strategy::RandomString { alphabet: #alphabet, min_length: #min_length, max_length: #max_length })
        }
        Strategy::Pattern { source, pattern } => {
            let pieces = pattern.to_tokens(&quote!(#rt));
            let (min_length, max_length) = (pattern.min_len() as u32, pattern.max_len() as u32);
            quote!(#sp::Strategy::Pattern { pattern: #source, pieces: #pieces, min_length: #min_length, max_length: #max_length })
        }
        Strategy::Words {
            words,
            min_length,
            max_length,
        } => {
            quote!(#sp::Strategy::Words { words: &[#(#words),*], min_length: #min_length, max_length: #max_length })
        }
        Strategy::Expression {
            text,
            expr,
            random,
            reads,
            parent_reads,
        } => {
            let range = match expr.range {
                Some(r) if expr.ty.kind.is_numeric() => {
                    let (lo, hi) = (f64_lit(r.min), f64_lit(r.max));
                    quote!(::core::option::Option::Some((#lo, #hi)))
                }
                _ => quote!(::core::option::Option::None),
            };
            let parents = parent_reads_spec(sp, parent_reads);
            quote!(#sp::Strategy::Expression { text: #text, random: #random, range: #range, reads: &[#(#reads),*], parent_reads: #parents })
        }
        Strategy::Cases {
            arms,
            texts,
            otherwise,
            parent_reads,
            ..
        } => {
            let arms = arms.iter().zip(texts).map(|((_, s), when)| {
                let then = strategy(rt, sp, s);
                quote!(#sp::CaseArm { when: #when, then: #then })
            });
            let otherwise = strategy(rt, sp, otherwise);
            let parents = parent_reads_spec(sp, parent_reads);
            quote!(#sp::Strategy::Cases { arms: &[#(#arms),*], otherwise: &#otherwise, parent_reads: #parents })
        }
        Strategy::SeedGroup {
            group,
            values,
            distribution,
        } => {
            let d = match distribution {
                PoolDistribution::Zipf { alpha } => {
                    quote!(#sp::PoolDistribution::Zipf { alpha: #alpha })
                }
                _ => quote!(#sp::PoolDistribution::Uniform),
            };
            quote!(#sp::Strategy::SeedGroup { group: #group, values: &[#(#values),*], distribution: #d })
        }
        Strategy::NumberRange {
            min,
            max,
            precision,
            distribution: dist,
        } => {
            let d = match dist {
                RangeDistribution::Linear => quote!(#sp::RangeDistribution::Linear),
                RangeDistribution::Uniform => quote!(#sp::RangeDistribution::Uniform),
                RangeDistribution::Exponential { rate } => {
                    quote!(#sp::RangeDistribution::Exponential { rate: #rate })
                }
            };
            quote!(#sp::Strategy::NumberRange { min: #min, max: #max, precision: #precision, distribution: #d })
        }
        Strategy::Sequence { start, step } => {
            quote!(#sp::Strategy::Sequence { start: #start, step: #step })
        }
        Strategy::Boolean { probability } => {
            quote!(#sp::Strategy::Boolean { probability: #probability })
        }
        Strategy::Position => quote!(#sp::Strategy::Position),
    }
}

/// `Some(spec::FanOut { .. })` of an entity's `children_of`, or `None`.
pub(super) fn fan_out(rt: &syn::Path, e: &Entity) -> TokenStream {
    let sp = quote!(#rt::spec);
    let Some(f) = &e.fan_out else {
        return quote!(::core::option::Option::None);
    };
    let (parent, key) = (f.parent, e.key);
    let count = count_law(&sp, &f.count);
    quote!(::core::option::Option::Some(#sp::FanOut { parent: #parent, key: #key, count: #count }))
}

/// `spec::CountLaw::..` of a `count`.
pub(super) fn count_law(sp: &TokenStream, c: &crate::children::CountSpec) -> TokenStream {
    use crate::children::CountSpec;
    match c {
        CountSpec::Fixed(n) => quote!(#sp::CountLaw::Fixed(#n)),
        CountSpec::Uniform { min, max } => quote!(#sp::CountLaw::Uniform { min: #min, max: #max }),
        CountSpec::Weighted(v) => {
            let counts = v.iter().map(|(c, _)| c);
            // Normalized, so the runtime draws without summing them per parent.
            let total: f64 = v.iter().map(|(_, w)| w).sum();
            let weights = v.iter().map(|(_, w)| f64_lit(w / total));
            quote!(#sp::CountLaw::Weighted { counts: &[#(#counts),*], weights: &[#(#weights),*] })
        }
    }
}

/// `spec::Rule { .. }` of `r`.
fn rule(sp: &TokenStream, r: &Rule) -> TokenStream {
    let text = &r.text;
    let groups = r.any_of.iter().map(|g| {
        let cmps = g.iter().map(|c| {
            let op = match c.op {
                CmpOp::Ge => quote!(#sp::CmpOp::Ge),
                CmpOp::Gt => quote!(#sp::CmpOp::Gt),
                CmpOp::Le => quote!(#sp::CmpOp::Le),
                CmpOp::Lt => quote!(#sp::CmpOp::Lt),
                CmpOp::Eq => quote!(#sp::CmpOp::Eq),
                CmpOp::Ne => quote!(#sp::CmpOp::Ne),
            };
            let rhs = match &c.rhs {
                Operand::Int(v) => {
                    let v = f64_lit(*v as f64);
                    quote!(#sp::Operand::Number(#v))
                }
                Operand::Decimal(v) => {
                    let v = f64_lit(*v);
                    quote!(#sp::Operand::Number(#v))
                }
                Operand::Time(t) => {
                    let t = time(sp, *t);
                    quote!(#sp::Operand::Time(#t))
                }
                Operand::Text(s) => quote!(#sp::Operand::Text(#s)),
                Operand::Field(j) => quote!(#sp::Operand::Field(#j)),
                Operand::Parent { fk, via, field } => {
                    quote!(#sp::Operand::Parent { fk: #fk, via: &[#(#via),*], field: #field })
                }
            };
            let shift = f64_lit(c.shift);
            quote!(#sp::Comparison { op: #op, rhs: #rhs, shift: #shift })
        });
        quote!(&[#(#cmps),*])
    });
    let how = match r.enforcement {
        Enforcement::Proven => quote!(#sp::Enforcement::Proven),
        Enforcement::Filtered => quote!(#sp::Enforcement::Filtered),
        Enforcement::Bounds => quote!(#sp::Enforcement::Bounds),
        Enforcement::Redraw => quote!(#sp::Enforcement::Redraw),
    };
    quote!(#sp::Rule { text: #text, any_of: &[#(#groups),*], enforcement: #how })
}

/// The catalog's list of the parent fields an expression reads.
fn parent_reads_spec(sp: &TokenStream, reads: &[ParentRead]) -> TokenStream {
    let reads = reads.iter().map(|r| {
        let (path, fk, field) = (r.path.join("."), r.fk, r.field);
        let via = r.via.iter().map(|h| h.fk);
        quote!(#sp::ParentRead { path: #path, fk: #fk, via: &[#(#via),*], field: #field })
    });
    quote!(&[#(#reads),*])
}
