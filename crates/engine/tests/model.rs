//! The ranking model against statsmodels + numpy (see `tests/fixtures/model/`), finite
//! differences, invariances and a simulation.

use kommunebench_engine::measure::DEFAULT_SUCCESS;
use kommunebench_engine::model::design::{Design, ModelOptions};
use kommunebench_engine::model::fit_ranking;
use kommunebench_engine::model::RankingModel;
use kommunebench_engine::numeric::tolerance::{
    MODEL_REFERENCE_REL, MONTHS_REFERENCE_ABS, P_VALUE_REFERENCE_ABS,
};
use kommunebench_engine::report::{Analysis, JsonReport};
use kommunebench_engine::survival::tables::{cohort_curves, outcome_shares, outcome_shares_by};
use kommunebench_engine::{read_spells_from_bytes, Language, ReadOptions};
use serde_json::Value;

mod common;

use common::{fixture_path, read_cohort};

fn close_relative(got: f64, want: f64, what: &str) {
    let scale = want.abs().max(1e-3);
    assert!(
        (got - want).abs() <= MODEL_REFERENCE_REL * scale,
        "{what}: {got} vs {want}"
    );
}

fn close_absolute(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!((got - want).abs() <= tolerance, "{what}: {got} vs {want}");
}

/// Reference from `make_model_fixtures.py`:
/// `sm.GLM(y, [piece dummies, municipality dummies, x], family=Poisson(), offset=log(e)).fit(tol=1e-13)`
/// on the spell × piece split, ℓ = llf − Σ y log e; numpy for stage 2, RMST, Var(û);
/// `2 * scipy.stats.norm.sf(|z|)` for p.
fn check_against_statsmodels(name: &str) {
    let bytes = std::fs::read(fixture_path(&format!("model_{name}.csv")))
        .expect("the test input is as the test expects");
    let text = std::fs::read_to_string(fixture_path(&format!("model_{name}_reference.json")))
        .expect("the test input is as the test expects");
    let reference: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let cohort = read_cohort(&bytes);
    let model = match fit_ranking(&cohort, ModelOptions::default()) {
        Ok(model) => model,
        Err(error) => panic!("{error}"),
    };
    let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);

    close_relative(
        model.convergence.log_likelihood,
        number(&reference["log_likelihood"]),
        "log-likelihood",
    );
    let coefficients = reference["coefficients"]
        .as_array()
        .cloned()
        .expect("the test input is as the test expects");
    assert_eq!(model.coefficients.len(), coefficients.len());
    for (got, want) in model.coefficients.iter().zip(&coefficients) {
        assert_eq!(
            got.term,
            want["term"]
                .as_str()
                .expect("the test input is as the test expects")
        );
        close_relative(got.estimate, number(&want["estimate"]), &got.term);
        close_relative(got.se, number(&want["se"]), &format!("se of {}", got.term));
    }
    // λ_j and α_k are identified only up to a common factor (statsmodels and the engine fix
    // different municipalities), so they are checked through the invariant RMSTs below.
    close_relative(
        model.r_squared_municipal.unwrap_or(f64::NAN),
        number(&reference["r_squared_municipal"]),
        "R²",
    );

    let ranking = reference["ranking"]
        .as_array()
        .cloned()
        .expect("the test input is as the test expects");
    assert_eq!(model.ranking.len(), ranking.len());
    for (got, want) in model.ranking.iter().zip(&ranking) {
        let name = &got.municipality;
        assert_eq!(
            name,
            want["municipality"]
                .as_str()
                .expect("the test input is as the test expects")
        );
        assert_eq!(got.rank as f64, number(&want["rank"]));
        close_absolute(
            got.observed_months,
            number(&want["observed_months"]),
            MONTHS_REFERENCE_ABS,
            name,
        );
        close_absolute(
            got.expected_months,
            number(&want["expected_months"]),
            MONTHS_REFERENCE_ABS,
            name,
        );
        close_absolute(
            got.effect_months,
            number(&want["effect_months"]),
            MONTHS_REFERENCE_ABS,
            name,
        );
        close_absolute(
            got.p_value.unwrap_or(f64::NAN),
            number(&want["p_value"]),
            P_VALUE_REFERENCE_ABS,
            name,
        );
        assert_eq!(
            got.stars,
            want["stars"]
                .as_str()
                .expect("the test input is as the test expects"),
            "{name}"
        );
        assert_eq!(got.spells as f64, number(&want["spells"]));
        close_absolute(
            got.completed_share,
            number(&want["completed_share"]),
            1e-15,
            name,
        );
    }
    for key in ["observed_months", "expected_months", "effect_months"] {
        let got = match key {
            "observed_months" => model.national.observed_months,
            "expected_months" => model.national.expected_months,
            _ => model.national.effect_months,
        };
        close_absolute(
            got.unwrap_or(f64::NAN),
            number(&reference["national"][key]),
            MONTHS_REFERENCE_ABS,
            key,
        );
    }
    let without: Vec<&str> = reference["municipalities_without_events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(model.municipalities_without_events, without);
    let pooled = reference["pooled_levels"]
        .as_array()
        .cloned()
        .expect("the test input is as the test expects");
    assert_eq!(model.pooled_levels.len(), pooled.len());
    for (got, want) in model.pooled_levels.iter().zip(&pooled) {
        assert_eq!(
            got.column,
            want["column"]
                .as_str()
                .expect("the test input is as the test expects")
        );
        assert_eq!(
            got.into,
            want["into"]
                .as_str()
                .expect("the test input is as the test expects")
        );
        let levels: Vec<&str> = want["levels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(got.levels, levels);
    }

    // Unranked: every municipality of the file that the reference does not rank, with the
    // reason MODEL.md gives (too few spells first, then no event inside H).
    let ranked: Vec<&str> = reference["ranking"]
        .as_array()
        .expect("ranking")
        .iter()
        .map(|r| r["municipality"].as_str().expect("name"))
        .collect();
    let without_events: Vec<&str> = reference["municipalities_without_events"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m.as_str().expect("name"))
        .collect();
    let spells_of = cohort.spells_by_municipality();
    let expected_unranked: Vec<(String, usize, &str)> = cohort
        .municipality_names
        .iter()
        .enumerate()
        .filter(|(_, name)| !ranked.contains(&name.as_str()))
        .map(|(k, name)| {
            let spells = spells_of[k].len();
            let reason = if spells < 80 {
                "too_few_spells"
            } else {
                assert!(without_events.contains(&name.as_str()), "{name}");
                "no_event_within_horizon"
            };
            (name.clone(), spells, reason)
        })
        .collect();
    let unranked: Vec<(String, usize, &str)> = model
        .unranked
        .iter()
        .map(|u| (u.municipality.clone(), u.spells, u.reason.code()))
        .collect();
    assert_eq!(unranked, expected_unranked);
    assert!(!unranked.is_empty());

    // Stage 2: γ̂ of the municipal covariates agree; the intercept is the level of α̂, which
    // the reference identifies by fixing its first municipality with events (in name order)
    // at 0, so it agrees after that shift.
    let gamma: Vec<f64> = reference["stage_two_coefficients"]
        .as_array()
        .expect("stage 2")
        .iter()
        .map(number)
        .collect();
    assert_eq!(model.stage_two_terms.len(), gamma.len());
    assert_eq!(
        model.stage_two_terms,
        ["(intercept)", "unemployment_rate", "share_third_country"]
    );
    let reference_base = (0..cohort.n_municipalities())
        .find(|&k| model.alpha[k].is_finite())
        .expect("a municipality with events");
    close_relative(
        model.stage_two_coefficients[0] - model.alpha[reference_base],
        gamma[0],
        "stage-2 intercept",
    );
    for (term, (got, want)) in model
        .stage_two_terms
        .iter()
        .zip(model.stage_two_coefficients.iter().zip(&gamma))
        .skip(1)
    {
        close_relative(*got, *want, term);
    }
}

#[test]
fn agrees_with_statsmodels_on_data_set_a() {
    check_against_statsmodels("a");
}

#[test]
fn agrees_with_statsmodels_on_data_set_b() {
    check_against_statsmodels("b");
}

#[test]
fn design_of_data_set_a() {
    let bytes =
        std::fs::read(fixture_path("model_a.csv")).expect("the test input is as the test expects");
    let cohort = read_cohort(&bytes);
    let Ok(design) = Design::build(&cohort, ModelOptions::default()) else {
        panic!("design builds")
    };
    assert_eq!(design.boundaries.len(), 17);
    assert!(design.term_names.iter().any(|t| t == "permit_year=2004"));
}

/// Analytic score and information equal central finite differences of ℓ and of the score.
#[test]
fn score_and_information_match_finite_differences() {
    let text = std::fs::read_to_string(fixture_path("model_a.csv"))
        .expect("the test input is as the test expects");
    let small: String = text.lines().take(401).map(|l| format!("{l}\n")).collect();
    let cohort = read_cohort(small.as_bytes());
    let options = ModelOptions {
        horizon_months: 48.0,
        piece_months: 12.0,
        min_spells: 10,
        ..ModelOptions::default()
    };
    let Ok(design) = Design::build(&cohort, options) else {
        panic!("design builds")
    };
    let n_params =
        (design.boundaries.len() - 1) + (cohort.n_municipalities() - 1) + design.n_terms();
    // A point away from the optimum, with every kind of parameter nonzero.
    let theta: Vec<f64> = (0..n_params)
        .map(|m| -3.0 + 0.01 * (m % 7) as f64 - 0.002 * m as f64)
        .collect();
    let evaluate = |theta: &[f64]| {
        kommunebench_engine::model::stage_one::evaluate_for_test(
            &design,
            &cohort.municipality,
            &cohort.time_enter,
            theta,
        )
    };
    let (_, score, information) = evaluate(&theta);
    let step = 1e-5;
    for m in 0..n_params {
        let mut plus = theta.clone();
        let mut minus = theta.clone();
        plus[m] += step;
        minus[m] -= step;
        let (ll_plus, score_plus, _) = evaluate(&plus);
        let (ll_minus, score_minus, _) = evaluate(&minus);
        let numeric_score = (ll_plus - ll_minus) / (2.0 * step);
        assert!(
            (numeric_score - score[m]).abs() <= 1e-5 * score[m].abs().max(1.0),
            "U_{m}: {} vs {numeric_score}",
            score[m]
        );
        for l in 0..n_params {
            // I = −∂U/∂θ.
            let numeric = -(score_plus[l] - score_minus[l]) / (2.0 * step);
            let analytic = information[l * n_params + m];
            assert!(
                (numeric - analytic).abs() <= 1e-5 * analytic.abs().max(1.0),
                "I_{l},{m}: {analytic} vs {numeric}"
            );
        }
    }
}

/// Every reported number of two fits agrees (to rounding: sums run in another order).
fn assert_same_report(
    a: &kommunebench_engine::model::RankingModel,
    b: &kommunebench_engine::model::RankingModel,
    compare_terms: bool,
) {
    let close = |x: f64, y: f64, what: &str| {
        assert!(
            (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            "{what}: {x} vs {y}"
        )
    };
    close(
        a.convergence.log_likelihood,
        b.convergence.log_likelihood,
        "log-likelihood",
    );
    close(
        a.r_squared_municipal.unwrap_or(0.0),
        b.r_squared_municipal.unwrap_or(0.0),
        "R²",
    );
    assert_eq!(a.coefficients.len(), b.coefficients.len());
    for (x, y) in a.coefficients.iter().zip(&b.coefficients) {
        if compare_terms {
            assert_eq!(x.term, y.term);
        }
        close(x.estimate, y.estimate, &x.term);
        close(x.se, y.se, &x.term);
    }
    assert_eq!(a.ranking.len(), b.ranking.len());
    for (x, y) in a.ranking.iter().zip(&b.ranking) {
        assert_eq!(
            (x.rank, &x.municipality, x.stars, x.spells),
            (y.rank, &y.municipality, y.stars, y.spells)
        );
        close(x.observed_months, y.observed_months, &x.municipality);
        close(x.expected_months, y.expected_months, &x.municipality);
        close(x.effect_months, y.effect_months, &x.municipality);
        close(
            x.p_value.unwrap_or(-1.0),
            y.p_value.unwrap_or(-1.0),
            &x.municipality,
        );
        close(x.completed_share, y.completed_share, &x.municipality);
        close(x.observed_slope, y.observed_slope, &x.municipality);
        close(x.residual, y.residual, &x.municipality);
        close(x.residual_variance, y.residual_variance, &x.municipality);
    }
    assert_eq!(a.unranked, b.unranked);
    assert_eq!(
        a.municipalities_without_events,
        b.municipalities_without_events
    );
    assert_eq!(a.dropped_covariates, b.dropped_covariates);
}

fn fit_text(text: &str) -> kommunebench_engine::model::RankingModel {
    fit_ranking(&read_cohort(text.as_bytes()), ModelOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON report of MODEL.md §5 for `model` fitted to the file `text`.
fn json_report(read: &kommunebench_engine::ReadReport, model: RankingModel) -> Value {
    let analysis = Analysis {
        outcomes: outcome_shares(&read.cohort),
        outcomes_by_sex: outcome_shares_by(&read.cohort, "sex")
            .expect("the test input is as the test expects"),
        cohorts: cohort_curves(&read.cohort),
        options: model.options,
        success: DEFAULT_SUCCESS.to_vec(),
        model: Ok(model),
    };
    serde_json::to_value(JsonReport::new(read, &analysis, Language::English))
        .expect("the report serialises")
}

/// Every field of two JSON reports agrees: strings, counts and nulls exactly, numbers to
/// 1e-9 relative (sums run in another order). `skip` says which fields may differ, given
/// the path to them (object keys and array indices joined by `.`) and the value.
fn assert_same_json(a: &Value, b: &Value, path: &str, skip: &dyn Fn(&str, &Value) -> bool) {
    if skip(path, a) {
        return;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().expect("finite"), y.as_f64().expect("finite"));
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Array(xs), Value::Array(ys)) => {
            assert_eq!(xs.len(), ys.len(), "{path}: lengths");
            for (index, (x, y)) in xs.iter().zip(ys).enumerate() {
                assert_same_json(x, y, &format!("{path}.{index}"), skip);
            }
        }
        (Value::Object(xs), Value::Object(ys)) => {
            let keys_x: Vec<&String> = xs.keys().collect();
            let keys_y: Vec<&String> = ys.keys().collect();
            assert_eq!(keys_x, keys_y, "{path}: keys");
            for (key, x) in xs {
                assert_same_json(x, &ys[key], &format!("{path}.{key}"), skip);
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

/// The iteration count and the final scaled score depend on the path Newton took
/// (MODEL.md §4: implementation-specific); nothing else may.
fn newton_path(path: &str, _: &Value) -> bool {
    path == ".model.iterations" || path == ".model.max_abs_score"
}

#[test]
fn row_order_changes_no_reported_number() {
    let text = std::fs::read_to_string(fixture_path("model_a.csv"))
        .expect("the test input is as the test expects");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for i in (1..lines.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        lines.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let shuffled = format!("{header}\n{}\n", lines.join("\n"));
    let report = |text: &str| {
        let read = read_spells_from_bytes(text.as_bytes(), &ReadOptions::default())
            .expect("the fixture reads");
        let model = fit_ranking(&read.cohort, ModelOptions::default()).expect("the model fits");
        json_report(&read, model)
    };
    assert_same_json(&report(&text), &report(&shuffled), "", &newton_path);
}

/// Every reported field (the effect's SE of MODEL.md §7 included) is the same whichever α is
/// fixed at 0, except the stage-2 intercept: it is the level of α̂, which the identification
/// sets (the residuals û and everything built on them are free of it).
#[test]
fn identification_of_alpha_changes_nothing_reported() {
    let bytes = std::fs::read(fixture_path("model_b.csv")).expect("fixture b");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("reads");
    let default = fit_ranking(&read.cohort, ModelOptions::default()).expect("fits");
    let default_json = json_report(&read, default.clone());
    assert!(
        default_json["ranking"]
            .as_array()
            .is_some_and(|rows| rows.iter().all(|r| r["effect_se_months"].is_f64())),
        "every ranked municipality of data set b has an SE"
    );
    let intercept_index = default
        .stage_two_terms
        .iter()
        .position(|t| t == "(intercept)")
        .expect("stage 2 has an intercept");
    let intercept_path = format!(".model.stage_two.{intercept_index}.estimate");
    let skip = |path: &str, value: &Value| newton_path(path, value) || path == intercept_path;
    for fixed in [0, 5, 17] {
        let other = kommunebench_engine::model::fit_ranking_identified(
            &read.cohort,
            ModelOptions::default(),
            Some(fixed),
            &mut |_| {},
        )
        .expect("fits");
        assert_same_report(&default, &other, true);
        assert_same_json(&default_json, &json_report(&read, other), "", &skip);
    }
}

#[test]
fn relabelling_levels_changes_only_the_coefficient_names() {
    let text = std::fs::read_to_string(fixture_path("model_a.csv"))
        .expect("the test input is as the test expects");
    // Reverse the code-point order of the residence bases and of the sexes; the most frequent
    // level (the reference) stays the same level.
    let relabelled = text
        .replace(",refugee,", ",z_refugee,")
        .replace(",family_refugee,", ",b_family_refugee,")
        .replace(",family_other,", ",a_family_other,")
        .replace(",M,", ",x_male,")
        .replace(",K,", ",y_female,");
    let (a, b) = (fit_text(&text), fit_text(&relabelled));
    assert_same_report(&a, &b, false);
    let terms: Vec<&str> = b.coefficients.iter().map(|c| c.term.as_str()).collect();
    assert!(
        terms.contains(&"residence_basis=b_family_refugee"),
        "{terms:?}"
    );
}

#[test]
fn bad_designs_are_errors_that_name_the_term() {
    let text = std::fs::read_to_string(fixture_path("model_a.csv"))
        .expect("the test input is as the test expects");
    let header = text
        .lines()
        .next()
        .expect("the test input is as the test expects")
        .to_owned();
    // children = 2 everywhere: constant.
    let n_children = header.split(',').position(|h| h == "children").unwrap_or(0);
    let constant: String = text
        .lines()
        .enumerate()
        .map(|(line, row)| {
            let mut fields: Vec<&str> = row.split(',').collect();
            if line > 0 {
                fields[n_children] = "2";
            }
            fields.join(",") + "\n"
        })
        .collect();
    let error = fit_ranking(&read_cohort(constant.as_bytes()), ModelOptions::default()).err();
    assert_eq!(error.as_ref().map(|e| e.to_string()), Some("The covariate `children` is constant: it cannot be estimated. Remove it or give it the role ignore.".to_owned()));

    // The unemployment rate given as an individual covariate is constant within each
    // municipality: collinear with the municipality effects.
    let options = ReadOptions {
        roles: vec![(
            "unemployment_rate".to_owned(),
            kommunebench_engine::Role::IndividualNumeric,
        )],
        sheet: None,
    };
    let Ok(report) = read_spells_from_bytes(text.as_bytes(), &options) else {
        panic!("reads")
    };
    let error = fit_ranking(&report.cohort, ModelOptions::default())
        .err()
        .map(|e| e.to_string())
        .expect("the test input is as the test expects");
    assert!(
        error.starts_with("`unemployment_rate` is collinear"),
        "{error}"
    );

    let many_pieces = ModelOptions {
        horizon_months: 48.0,
        piece_months: 0.001,
        min_spells: 80,
        ..ModelOptions::default()
    };
    let error = fit_ranking(&read_cohort(text.as_bytes()), many_pieces)
        .err()
        .map(|e| e.to_string())
        .expect("the test input is as the test expects");
    assert!(
        error.starts_with("The horizon divided into baseline pieces gives 48000 pieces"),
        "{error}"
    );

    let no_events = "municipality,permit_date,end_date,outcome\nA,2001-01-01,2002-01-01,none\nB,2001-01-01,2006-01-01,self_support\n";
    let error = fit_ranking(&read_cohort(no_events.as_bytes()), ModelOptions::default())
        .err()
        .map(|e| e.to_string());
    assert_eq!(error.as_deref(), Some("No spell ends in self-support or education within 48 months: the model cannot be estimated."));
}
