//! MODEL.md §7–§8 against an independent numpy/scipy implementation
//! (`tests/fixtures/model/make_model_fixtures.py`, function `uncertainty`: the slope of RMST
//! by `scipy.integrate.quad`, τ̂² by `scipy.optimize.minimize_scalar`, Benjamini–Hochberg by
//! hand, 40,000 rank draws from numpy's `eigh` factor), and property tests.

use std::path::Path;

use kommunebench_engine::model::uncertainty::{
    benjamini_hochberg, mapped_effect, rank_uncertainty, tau_squared, RankDrawOptions, RankedInput,
};
use kommunebench_engine::model::{fit_ranking, ModelOptions, RestrictedMean};
use kommunebench_engine::numeric::tolerance::UNCERTAINTY_REFERENCE_ABS;
use kommunebench_engine::{read_spells_from_bytes, ReadOptions};
use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/model")
        .join(name)
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= UNCERTAINTY_REFERENCE_ABS * want.abs().max(1.0),
        "{what}: {got} vs {want}"
    );
}

/// Every §7–§8 field of data set `name` (both have municipal covariates) against the
/// reference, with the stage-2 SEs and the funnel's overdispersion: ≤ 1e-6, and each rank-interval end inside the reference's own rank
/// distribution (lo within its 0.5–4.5 % quantiles, hi within its 95.5–99.5 %).
fn check_against_scipy(name: &str) {
    let bytes = std::fs::read(fixture(&format!("model_{name}.csv"))).expect("fixture csv");
    let text = std::fs::read_to_string(fixture(&format!("model_{name}_uncertainty.json")))
        .expect("fixture json");
    let reference: Value = serde_json::from_str(&text).expect("json");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("reads");
    let model = fit_ranking(&read.cohort, ModelOptions::default()).expect("fits");
    let number = |v: &Value| v.as_f64().expect("a number");

    close(
        model.explained_share.expect("explained share"),
        number(&reference["explained_share"]),
        "explained share",
    );
    close(
        model.tau_squared.expect("tau squared"),
        number(&reference["tau_squared"]),
        "tau squared",
    );
    close(
        model.overdispersion_months_squared.expect("overdispersion"),
        number(&reference["overdispersion_months_squared"]),
        "overdispersion",
    );
    let stage_two_se = reference["stage_two_se"].as_array().expect("stage-2 SEs");
    assert_eq!(model.stage_two_se.len(), stage_two_se.len());
    // The intercept (the level of α̂, set by the identification) has none.
    assert_eq!(model.stage_two_se[0], None);
    for ((term, got), want) in model
        .stage_two_terms
        .iter()
        .zip(&model.stage_two_se)
        .zip(stage_two_se)
        .skip(1)
    {
        close(got.expect("an SE"), number(want), term);
    }
    let rows = reference["ranking"].as_array().expect("rows");
    assert_eq!(rows.len(), model.ranking.len());
    for want in rows {
        let name = want["municipality"].as_str().expect("name");
        let got = model
            .ranking
            .iter()
            .find(|r| r.municipality == name)
            .expect("ranked in both");
        close(got.observed_slope, number(&want["observed_slope"]), name);
        close(
            got.uncertainty.effect_se_months.expect("SE"),
            number(&want["effect_se_months"]),
            name,
        );
        let [low, high] = got.uncertainty.effect_interval_months.expect("interval");
        close(low, number(&want["effect_interval_months"][0]), name);
        close(high, number(&want["effect_interval_months"][1]), name);
        close(
            got.uncertainty.q_value.expect("q"),
            number(&want["q_value"]),
            name,
        );
        close(
            got.uncertainty.shrunken_effect_months.expect("shrunken"),
            number(&want["shrunken_effect_months"]),
            name,
        );
        assert_eq!(
            got.uncertainty.shrunken_rank,
            want["shrunken_rank"].as_u64().map(|r| r as usize),
            "{name}"
        );
        let quantile = |q: &str| want["rank_quantiles"][q].as_u64().expect("quantile") as usize;
        let [lo, hi] = got.uncertainty.rank_interval.expect("rank interval");
        assert!(
            (quantile("0.5%")..=quantile("4.5%")).contains(&lo),
            "{name}: lo {lo} outside the reference's 0.5–4.5 % quantiles {}–{}",
            quantile("0.5%"),
            quantile("4.5%")
        );
        assert!(
            (quantile("95.5%")..=quantile("99.5%")).contains(&hi),
            "{name}: hi {hi} outside the reference's 95.5–99.5 % quantiles {}–{}",
            quantile("95.5%"),
            quantile("99.5%")
        );
        assert!(
            lo <= got.rank && got.rank <= hi,
            "{name}: rank outside its interval"
        );
    }
}

#[test]
fn agrees_with_scipy_on_data_set_a() {
    check_against_scipy("a");
}

#[test]
fn agrees_with_scipy_on_data_set_b() {
    check_against_scipy("b");
}

/// The same seed gives the same intervals; no draws give none.
#[test]
fn rank_intervals_are_reproducible_and_optional() {
    let bytes = std::fs::read(fixture("model_a.csv")).expect("fixture");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("reads");
    let intervals = |options: ModelOptions| {
        fit_ranking(&read.cohort, options)
            .expect("fits")
            .ranking
            .iter()
            .map(|r| r.uncertainty.rank_interval)
            .collect::<Vec<_>>()
    };
    let seeded = ModelOptions {
        seed: 7,
        ..ModelOptions::default()
    };
    assert_eq!(intervals(seeded), intervals(seeded));
    let none = intervals(ModelOptions {
        rank_draws: 0,
        ..ModelOptions::default()
    });
    assert!(none.iter().all(Option::is_none));
}

/// Var(û) in its structured form (used beyond 500 ranked municipalities) on both reference
/// data sets: every §7–§8 number equals the dense form's (which the tests above hold to the
/// reference) to rounding, and its rank draws, a different square root of the same Var(û),
/// give rank intervals inside the reference's own rank distribution as the dense ones must.
#[test]
fn the_structured_form_agrees_with_the_dense_one_and_the_reference() {
    use kommunebench_engine::model::fit_ranking_structured;
    use kommunebench_engine::numeric::tolerance::STRUCTURED_AGREEMENT_REL;
    for name in ["a", "b"] {
        let bytes = std::fs::read(fixture(&format!("model_{name}.csv"))).expect("fixture csv");
        let text = std::fs::read_to_string(fixture(&format!("model_{name}_uncertainty.json")))
            .expect("fixture json");
        let reference: Value = serde_json::from_str(&text).expect("json");
        let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("reads");
        let dense = fit_ranking(&read.cohort, ModelOptions::default()).expect("fits");
        let structured =
            fit_ranking_structured(&read.cohort, ModelOptions::default()).expect("fits");
        let agree = |got: Option<f64>, want: Option<f64>, what: &str| match (got, want) {
            (Some(got), Some(want)) => assert!(
                (got - want).abs() <= STRUCTURED_AGREEMENT_REL * want.abs().max(1.0),
                "{name}, {what}: {got} vs {want}"
            ),
            (got, want) => assert_eq!(got, want, "{name}, {what}"),
        };
        agree(structured.tau_squared, dense.tau_squared, "τ̂²");
        agree(
            structured.overdispersion_months_squared,
            dense.overdispersion_months_squared,
            "overdispersion",
        );
        for (got, want) in structured.stage_two_se.iter().zip(&dense.stage_two_se) {
            agree(*got, *want, "stage-2 SE");
        }
        assert_eq!(structured.ranking.len(), dense.ranking.len());
        let quantiles = |municipality: &str, q: &str| {
            reference["ranking"]
                .as_array()
                .expect("rows")
                .iter()
                .find(|r| r["municipality"] == municipality)
                .and_then(|r| r["rank_quantiles"][q].as_u64())
                .expect("a quantile") as usize
        };
        for (got, want) in structured.ranking.iter().zip(&dense.ranking) {
            let what = got.municipality.as_str();
            assert_eq!(got.municipality, want.municipality);
            assert_eq!(got.rank, want.rank, "{name}, {what}");
            let (g, w) = (&got.uncertainty, &want.uncertainty);
            agree(got.p_value, want.p_value, what);
            agree(g.effect_se_months, w.effect_se_months, what);
            agree(g.q_value, w.q_value, what);
            agree(g.shrunken_effect_months, w.shrunken_effect_months, what);
            let (gi, wi) = (
                g.effect_interval_months.expect("interval"),
                w.effect_interval_months.expect("interval"),
            );
            agree(Some(gi[0]), Some(wi[0]), what);
            agree(Some(gi[1]), Some(wi[1]), what);
            assert_eq!(g.shrunken_rank, w.shrunken_rank, "{name}, {what}");
            let [lo, hi] = g.rank_interval.expect("a rank interval");
            assert!(
                (quantiles(what, "0.5%")..=quantiles(what, "4.5%")).contains(&lo),
                "{name}, {what}: lo {lo} outside the reference's 0.5–4.5 % quantiles"
            );
            assert!(
                (quantiles(what, "95.5%")..=quantiles(what, "99.5%")).contains(&hi),
                "{name}, {what}: hi {hi} outside the reference's 95.5–99.5 % quantiles"
            );
        }
    }
}

/// Hand-worked Benjamini–Hochberg: p = 0.01, 0.04, 0.03, 0.20 (m = 4) sorted 0.01, 0.03,
/// 0.04, 0.20 → p·m/j = 0.04, 0.06, 0.0533…, 0.20 → running minimum from the top: 0.04,
/// 0.0533…, 0.0533…, 0.20. A missing p stays missing and does not count in m.
#[test]
fn benjamini_hochberg_by_hand() {
    let q = benjamini_hochberg(&[Some(0.01), Some(0.04), None, Some(0.03), Some(0.20)]);
    let expected = [
        Some(0.04),
        Some(0.16 / 3.0),
        None,
        Some(0.16 / 3.0),
        Some(0.20),
    ];
    for (got, want) in q.iter().zip(expected) {
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-15, "{g} vs {w}"),
            (g, w) => assert_eq!(*g, w),
        }
    }
}

/// τ̂² by hand: two municipalities with a = 1, s² = 1 and û = ±2 → the likelihood is
/// maximised where τ² + 1 = mean û² = 4, so τ̂² = 3; residuals smaller than their noise give 0.
#[test]
fn tau_squared_by_hand() {
    let tau2 = tau_squared(&[(2.0, 1.0, 1.0), (-2.0, 1.0, 1.0)]).expect("some");
    assert!((tau2 - 3.0).abs() < 1e-12, "{tau2}");
    assert_eq!(tau_squared(&[(0.5, 1.0, 1.0), (-0.5, 1.0, 1.0)]), Some(0.0));
    assert_eq!(tau_squared(&[]), None);
}

/// A baseline of 1–5 pieces with some λ = 0 (but some event: a fitted model has one), H not
/// always a multiple of w.
fn restricted_mean() -> impl Strategy<Value = (RestrictedMean, f64)> {
    (
        prop::collection::vec(prop_oneof![Just(0.0), 0.001f64..0.3], 1..6)
            .prop_filter("some piece has events", |h| h.iter().any(|&l| l > 0.0)),
        1.0f64..6.0,
        0.1f64..1.0,
    )
        .prop_map(|(hazard, width, last_fraction)| {
            let mut boundaries: Vec<f64> = (0..hazard.len()).map(|j| j as f64 * width).collect();
            boundaries.push((hazard.len() as f64 - 1.0 + last_fraction) * width);
            let horizon = boundaries[boundaries.len() - 1];
            (RestrictedMean::new(&boundaries, &hazard), horizon)
        })
}

proptest! {
    /// The mapped interval contains the effect, lies in [−H, H], and excludes 0 exactly when
    /// |z| > 1.96; shrinkage moves every effect towards 0 and never past it.
    #[test]
    fn mapped_intervals_and_shrinkage_behave(
        (restricted_mean, horizon) in restricted_mean(),
        municipalities in prop::collection::vec(
            (prop::collection::vec(-2.0f64..2.0, 1..8), -1.0f64..1.0, -1.5f64..1.5, 0.0001f64..0.5),
            2..7,
        ),
    ) {
        let n = municipalities.len();
        // (name, predictors, fitted, residual, variance, expected, observed)
        type Municipality = (String, Vec<f64>, f64, f64, f64, f64, f64);
        let inputs_owned: Vec<Municipality> = municipalities
            .iter()
            .enumerate()
            .map(|(k, (predictors, fitted, residual, variance))| {
                let expected = predictors.iter().map(|&eta| restricted_mean.rmst(eta + fitted)).sum::<f64>()
                    / predictors.len() as f64;
                let observed = predictors.iter().map(|&eta| restricted_mean.rmst(eta + fitted + residual)).sum::<f64>()
                    / predictors.len() as f64;
                (format!("K{k}"), predictors.clone(), *fitted, *residual, *variance, expected, observed)
            })
            .collect();
        let inputs: Vec<RankedInput<'_>> = inputs_owned
            .iter()
            .map(|(name, predictors, fitted, residual, variance, expected, observed)| RankedInput {
                name,
                residual: *residual,
                residual_variance: Some(*variance),
                observed_months: *observed,
                expected_months: *expected,
                effect_months: observed - expected,
                observed_slope: -1.0,
                fitted_effect: *fitted,
                predictors,
            })
            .collect();
        // M = I − 11ᵀ/n (intercept only, equal weights), Σ = diag(variance) (so Var(û) is
        // not exactly the input's, which does not matter to these properties).
        let residual_maker: Vec<f64> = (0..n * n)
            .map(|i| f64::from(u8::from(i / n == i % n)) - 1.0 / n as f64)
            .collect();
        let sigma: Vec<f64> = (0..n * n)
            .map(|i| if i / n == i % n { municipalities[i / n].3 } else { 0.0 })
            .collect();
        let result = rank_uncertainty(&inputs, &residual_maker, &sigma, &restricted_mean,
            RankDrawOptions { rank_draws: 0, seed: 1 });
        for (input, row) in inputs.iter().zip(&result.rows) {
            let [low, high] = row.effect_interval_months.expect("an interval");
            let effect = mapped_effect(input, &restricted_mean, input.residual);
            prop_assert!(low <= effect + 1e-12 && effect <= high + 1e-12, "{low} {effect} {high}");
            prop_assert!(-horizon <= low && high <= horizon);
            let z = input.residual / input.residual_variance.expect("variance").sqrt();
            if z.abs() > 1.96 + 1e-9 {
                prop_assert!(low > 0.0 || high < 0.0, "z = {z}: [{low}, {high}]");
            } else if z.abs() < 1.96 - 1e-9 {
                prop_assert!(low <= 0.0 && high >= 0.0, "z = {z}: [{low}, {high}]");
            }
            let shrunken = row.shrunken_effect_months.expect("shrunken");
            prop_assert!(shrunken.abs() <= effect.abs() + 1e-12, "{shrunken} vs {effect}");
            prop_assert!(shrunken * effect >= 0.0, "{shrunken} crossed 0 from {effect}");
        }
    }

    /// A municipality whose Var(û) is 0 up to rounding gets no §8 field, but still takes part
    /// in the draws (the others' intervals exist and span the ranks).
    #[test]
    fn zero_variance_gives_nulls(residuals in prop::collection::vec(-1.0f64..1.0, 3..6)) {
        let restricted_mean = RestrictedMean::new(&[0.0, 12.0, 24.0], &[0.05, 0.02]);
        let n = residuals.len();
        let predictors = [0.0, 0.3];
        let names: Vec<String> = (0..n).map(|k| format!("K{k}")).collect();
        let inputs: Vec<RankedInput<'_>> = (0..n)
            .map(|k| RankedInput {
                name: &names[k],
                residual: residuals[k],
                residual_variance: (k != 0).then_some(0.04),
                observed_months: 0.0,
                expected_months: predictors.iter().map(|&eta| restricted_mean.rmst(eta)).sum::<f64>() / 2.0,
                effect_months: 0.0,
                observed_slope: -10.0,
                fitted_effect: 0.0,
                predictors: &predictors,
            })
            .collect();
        let identity: Vec<f64> = (0..n * n).map(|i| f64::from(u8::from(i / n == i % n))).collect();
        let sigma: Vec<f64> = (0..n * n)
            .map(|i| if i / n == i % n && i != 0 { 0.04 } else { 0.0 })
            .collect();
        let result = rank_uncertainty(&inputs, &identity, &sigma, &restricted_mean,
            RankDrawOptions { rank_draws: 200, seed: 3 });
        prop_assert_eq!(&result.rows[0], &Default::default());
        for row in &result.rows[1..] {
            let [lo, hi] = row.rank_interval.expect("drawn");
            prop_assert!(1 <= lo && lo <= hi && hi <= n);
            prop_assert!(row.effect_se_months.is_some() && row.q_value.is_some());
        }
    }
}
