//! Distribution tests: a field's accumulation into a chi-square or Kolmogorov-Smirnov test
//! against the config's own parameters, and the foreign-key spreads (uniform or zipf).

use crate::observe;
use crate::state::{DistTest, FieldState};
use crate::stats;
use crate::thresholds::{MIN_EXPECTED, MIN_KS_ROWS, ZIPF_MAX_RANKS, ZIPF_SEPARATION};
use crate::verifier::Verifier;
use perfgen_runtime::spec::Strategy;

impl Verifier<'_> {
    /// The goodness-of-fit test of one field, with its p-value (judged in [`Self::finish`]).
    pub(crate) fn finish_dist(&mut self, e: usize, fs: &mut FieldState) {
        let name = self.shared.catalog.entities[e].name;
        let check = format!("distribution {}", fs.name);
        if let Some(h) = fs.hist.take() {
            self.observe(name, Some(fs.name), || h.finish());
        }
        let info = &self.shared.catalog.entities[e];
        let now = info.generated_at.or(self.shared.opts.now).unwrap_or(0);
        match std::mem::replace(&mut fs.dist, DistTest::None) {
            DistTest::None => {}
            DistTest::Skip(why) => self.skip(name, check, why),
            DistTest::Pool {
                counts,
                probs,
                what,
            } => {
                let spec = fs.spec;
                self.observe(name, Some(fs.name), || {
                    observe::of_cells(&spec, now, &counts, &probs, &what, None)
                });
                self.chi_square(name, check, &counts, &probs, &what)
            }
            DistTest::IntBins {
                vmin,
                counts,
                probs,
                what,
            } => {
                let spec = fs.spec;
                self.observe(name, Some(fs.name), || {
                    observe::of_cells(&spec, now, &counts, &probs, &what, Some(vmin))
                });
                self.chi_square(name, check, &counts, &probs, &what)
            }
            DistTest::Ks {
                acc,
                model: _,
                what,
                fixed,
            } => {
                if acc.n() == 0 && fixed > 0 {
                    self.skip(
                        name,
                        check,
                        "the rules leave each row a single possible value: nothing to test".into(),
                    );
                } else if acc.n() < MIN_KS_ROWS {
                    self.skip(
                        name,
                        check,
                        format!("{} values: too few for a Kolmogorov-Smirnov test", acc.n()),
                    );
                } else {
                    let (d, p) = acc.result();
                    let c = self.push(
                        name,
                        check,
                        format!("KS D = {d:.5}, n = {} vs {what}", acc.n()),
                    );
                    c.p_value = Some(p);
                }
            }
            DistTest::Choices { counts, ambiguous } => {
                let Some(t) = &fs.template else { return };
                for (slot, c) in counts.iter().enumerate() {
                    let check = if counts.len() == 1 {
                        format!("distribution {} (template choice)", fs.name)
                    } else {
                        format!("distribution {} (template choice {})", fs.name, slot + 1)
                    };
                    if ambiguous {
                        self.skip(
                            name,
                            check,
                            "some values can be read from the template in more than one way".into(),
                        );
                        continue;
                    }
                    let what = format!("uniform over {} alternatives", t.weights[slot].len());
                    self.chi_square(name, check, c, &t.weights[slot], &what);
                }
            }
            DistTest::Fk { counts, alpha } => {
                self.observe(name, Some(fs.name), || {
                    observe::rank_frequency(&counts, alpha)
                });
                self.fk_dist(name, check, fs, &counts, alpha)
            }
        }
    }

    pub(crate) fn chi_square(
        &mut self,
        name: &'static str,
        check: String,
        counts: &[u64],
        probs: &[f64],
        what: &str,
    ) {
        if probs.iter().filter(|&&p| p > 0.0).count() < 2 {
            // One possible value (a one-record pool, a fixed length): no law to test.
            let note = format!("a single possible value: nothing to test ({what})");
            self.skip(name, check, note);
            return;
        }
        match stats::chi_square_gof(counts, probs, MIN_EXPECTED) {
            None => self.skip(
                name,
                check,
                format!(
                    "{} values: too few for a chi-square test ({what})",
                    counts.iter().sum::<u64>()
                ),
            ),
            Some(cs) => {
                let c = self.push(
                    name,
                    check,
                    format!(
                        "chi-square {:.1}, df {}, n = {} vs {what}",
                        cs.statistic, cs.df, cs.n
                    ),
                );
                c.p_value = Some(cs.p_value);
            }
        }
    }

    pub(crate) fn fk_dist(
        &mut self,
        name: &'static str,
        check: String,
        fs: &FieldState,
        counts: &[u32],
        alpha: Option<f64>,
    ) {
        let Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } = fs.spec.strategy
        else {
            return;
        };
        let pinfo = &self.shared.catalog.entities[parent];
        let target = format!("{}.{}", pinfo.name, pinfo.fields[parent_field].name);
        let store = self.shared.stores.get(&(parent, parent_field));
        if let Some(why) = store.and_then(|s| s.unavailable.clone()) {
            self.skip(name, check, why);
            return;
        }
        if store.is_some_and(|s| s.ambiguous) {
            self.skip(
                name,
                check,
                format!("`{target}` repeats values, so its rows cannot be told apart"),
            );
            return;
        }
        let np = counts.len() as u64;
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        match alpha {
            Some(a) if a > 0.0 && np > 1 => self.zipf_fk(name, check, counts, a, &target),
            _ => {
                if np == 0 || n == 0 {
                    self.skip(name, check, "no rows".into());
                    return;
                }
                // Parents grouped in key order (unrelated to how they were drawn) so each
                // group expects MIN_EXPECTED children.
                let g = ((MIN_EXPECTED * np as f64 / n as f64).ceil() as u64).max(1);
                let groups = np.div_ceil(g) as usize;
                let mut obs = vec![0u64; groups];
                let mut probs = vec![0f64; groups];
                for (i, &c) in counts.iter().enumerate() {
                    let k = i / g as usize;
                    obs[k] += c as u64;
                    probs[k] += 1.0;
                }
                let what = if g > 1 {
                    format!("uniform over {np} rows of {target} (groups of {g})")
                } else {
                    format!("uniform over {np} rows of {target}")
                };
                self.chi_square(name, check, &obs, &probs, &what);
            }
        }
    }

    /// Rank-frequency test of a zipf foreign key: which parent has rank r is hidden by a
    /// permutation, so the observed counts are sorted and the top k (ranks far enough apart
    /// to be told apart) plus the rest are compared with the zipf law over the parent rows.
    pub(crate) fn zipf_fk(
        &mut self,
        name: &'static str,
        check: String,
        counts: &[u32],
        alpha: f64,
        target: &str,
    ) {
        let np = counts.len();
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        let h = perfgen_dataset::zipf::generalized_harmonic(np as u64, alpha);
        let expect = |r: usize| n as f64 * (r as f64).powf(-alpha) / h;
        let mut k = 0;
        while k < ZIPF_MAX_RANKS.min(np) {
            let r = k + 1;
            let e = expect(r);
            if e < MIN_EXPECTED {
                break;
            }
            if r < np {
                let next = expect(r + 1);
                if e - next < ZIPF_SEPARATION * (e + next).sqrt() {
                    break;
                }
            }
            k = r;
        }
        let mut top_e: f64 = (1..=k).map(expect).sum();
        while k > 0 && k < np && (n as f64 - top_e) < MIN_EXPECTED {
            top_e -= expect(k);
            k -= 1;
        }
        if k == 0 {
            self.skip(
                name,
                check,
                format!(
                    "{n} rows: too few for a rank-frequency test (the most popular of {np} parents expects {:.1})",
                    expect(1)
                ),
            );
            return;
        }
        let mut sorted: Vec<u32> = counts.to_vec();
        if k < np {
            sorted.select_nth_unstable_by(k, |a, b| b.cmp(a));
        }
        let top = &mut sorted[..k.min(np)];
        top.sort_unstable_by(|a, b| b.cmp(a));
        let mut stat = 0.0;
        let mut seen = 0u64;
        for (i, &o) in top.iter().enumerate() {
            let e = expect(i + 1);
            stat += (o as f64 - e).powi(2) / e;
            seen += o as u64;
        }
        let mut df = k as f64 - 1.0;
        if k < np {
            let e = n as f64 - top_e;
            let o = (n - seen) as f64;
            stat += (o - e).powi(2) / e;
            df += 1.0;
        }
        if df < 1.0 {
            self.skip(name, check, "a single parent".into());
            return;
        }
        let p = stats::chi_square_sf(stat, df);
        let c = self.push(
            name,
            check,
            format!(
                "rank-frequency chi-square {stat:.1}, df {df}, n = {n}: top {k} parents + rest vs zipf(alpha {alpha}) over {np} rows of {target}"
            ),
        );
        c.p_value = Some(p);
    }
}
