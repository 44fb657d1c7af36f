//! Where the model stops with a named error (stage 2, diverging and too many terms) and how
//! it scales in the number of municipalities (the Schur complement against the dense
//! inverse, 5,000 municipalities, and over a thousand ranked ones).

mod common;

use common::{fixture_path, read_cohort};
use kommunebench_engine::model::design::{Design, ModelOptions};
use kommunebench_engine::model::fit_ranking;
use kommunebench_engine::{read_spells_from_bytes, ReadOptions};

/// MODEL.md §4, stage 2: a municipal categorical covariate with one level among the ranked
/// municipalities is an error naming it (not dropped silently), and too few ranked
/// municipalities say how many there are and how many are needed.
#[test]
fn stage_two_errors_name_the_column_and_the_counts() {
    use kommunebench_engine::model::ModelError;
    let text = std::fs::read_to_string(fixture_path("model_a.csv")).expect("fixture");
    let with_region: String = text
        .lines()
        .enumerate()
        .map(|(line, row)| {
            if line == 0 {
                format!("{row},region\n")
            } else {
                format!("{row},Nord\n")
            }
        })
        .collect();
    let options = ReadOptions {
        roles: vec![(
            "region".to_owned(),
            kommunebench_engine::Role::MunicipalCategorical,
        )],
        sheet: None,
    };
    let read = read_spells_from_bytes(with_region.as_bytes(), &options).expect("reads");
    let error = fit_ranking(&read.cohort, ModelOptions::default()).expect_err("constant");
    assert_eq!(
        error,
        ModelError::StageTwoConstant {
            column: "region".to_owned(),
            level: "Nord".to_owned(),
            n_ranked: 16
        }
    );
    assert!(error
        .to_string()
        .starts_with("The municipal covariate `region` is `Nord` in all 16 ranked municipalities"));

    // The three largest municipalities, of which Kommune AX (779 spells) has no event inside
    // H: two ranked municipalities for three stage-2 columns (intercept, unemployment rate,
    // share of third-country nationals).
    let cohort = read_cohort(text.as_bytes());
    let mut sizes: Vec<usize> = cohort
        .spells_by_municipality()
        .iter()
        .map(Vec::len)
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let options = ModelOptions {
        min_spells: sizes[2],
        ..ModelOptions::default()
    };
    let error = fit_ranking(&cohort, options).expect_err("too few");
    assert_eq!(
        error,
        ModelError::TooFewRanked {
            n_ranked: 2,
            needed: 4
        }
    );
    assert_eq!(
        error.message(kommunebench_engine::Language::Danish),
        "Der er 2 rangordnede kommuner, men sammenligningen med de kommunale forhold kræver mindst 4. Sænk mindste antal forløb, eller fjern kommunale variable."
    );
}

/// A covariate that separates the spells (every spell with `flag` = 1 is censored) has no
/// finite maximum: an error naming the term, not a number from the edge of the float range.
#[test]
fn a_diverging_coefficient_is_an_error_naming_the_term() {
    use kommunebench_engine::model::ModelError;
    let text = std::fs::read_to_string(fixture_path("model_a.csv")).expect("fixture");
    let flagged: String = text
        .lines()
        .enumerate()
        .map(|(line, row)| {
            if line == 0 {
                format!("{row},flag\n")
            } else {
                let flag = u8::from(row.contains(",none,") && line % 3 == 0);
                format!("{row},{flag}\n")
            }
        })
        .collect();
    let options = ReadOptions {
        roles: vec![(
            "flag".to_owned(),
            kommunebench_engine::Role::IndividualNumeric,
        )],
        sheet: None,
    };
    let read = read_spells_from_bytes(flagged.as_bytes(), &options).expect("reads");
    match fit_ranking(&read.cohort, ModelOptions::default()) {
        Err(ModelError::Diverged { term, estimate }) => {
            assert_eq!(term, "flag");
            assert!(estimate < -20.0, "{estimate}");
        }
        other => panic!("expected a diverged `flag`, got {other:?}"),
    }
}

/// A categorical column with thousands of levels (an identifier given a role by mistake) is
/// refused by name before the fit allocates its information matrix.
#[test]
fn more_than_2000_terms_is_an_error() {
    use kommunebench_engine::model::ModelError;
    let mut text = String::from("municipality,permit_date,end_date,outcome,code\n");
    for i in 0..2100 * 30 {
        // Every level has events (half of its 30 spells).
        let outcome = if (i / 2100) % 2 == 0 {
            "self_support"
        } else {
            "none"
        };
        text.push_str(&format!(
            "K{},2001-01-01,2002-01-01,{outcome},c{}\n",
            i % 7,
            i % 2100
        ));
    }
    let options = ReadOptions {
        roles: vec![(
            "code".to_owned(),
            kommunebench_engine::Role::IndividualCategorical,
        )],
        sheet: None,
    };
    let read = read_spells_from_bytes(text.as_bytes(), &options).expect("reads");
    let error = fit_ranking(&read.cohort, ModelOptions::default()).expect_err("too many");
    assert!(
        matches!(error, ModelError::TooManyTerms { max: 2000, .. }),
        "{error:?}"
    );
}

/// The Newton system is solved by eliminating the diagonal municipality block (a Schur
/// complement): the β standard errors and every entry of the α block of I⁻¹ equal those of
/// the dense inverse of the full information at the solution, to 1e-10.
#[test]
fn the_schur_complement_gives_the_dense_inverse() {
    use kommunebench_engine::model::stage_one;
    use kommunebench_engine::numeric::linalg::{Cholesky, Matrix};
    // Without the municipality that has no event (the dense layout frees every α but the
    // first), with wide pieces so that every piece has events.
    let text = std::fs::read_to_string(fixture_path("model_a.csv")).expect("fixture");
    let text: String = text
        .lines()
        .filter(|l| !l.contains("Kommune AX"))
        .map(|l| format!("{l}\n"))
        .collect();
    let cohort = read_cohort(text.as_bytes());
    let options = ModelOptions {
        piece_months: 12.0,
        ..ModelOptions::default()
    };
    let design = Design::build(&cohort, options).expect("design");
    let fit = stage_one::fit(
        &design,
        &cohort.municipality,
        &cohort.time_enter,
        &cohort.municipality_names,
        Some(0),
        &mut |_| {},
    )
    .expect("fits");
    assert!(
        fit.hazard.iter().all(|&l| l > 0.0),
        "every piece has events"
    );
    let n_pieces = fit.hazard.len();
    let n_municipalities = cohort.n_municipalities();
    let theta: Vec<f64> = fit
        .hazard
        .iter()
        .map(|l| l.ln())
        .chain(fit.alpha[1..].iter().copied())
        .chain(fit.beta.iter().copied())
        .collect();
    let (_, _, information) =
        stage_one::evaluate_for_test(&design, &cohort.municipality, &cohort.time_enter, &theta);
    let n = theta.len();
    let mut dense = Matrix::zeros(n);
    dense.data = information;
    let inverse = Cholesky::factor(&dense)
        .expect("positive definite")
        .inverse();
    let close = |got: f64, want: f64, what: &str| {
        assert!(
            (got - want).abs() <= 1e-10 * want.abs().max(1e-3),
            "{what}: {got} vs {want}"
        );
    };
    let first_beta = n_pieces + n_municipalities - 1;
    for (t, se) in fit.beta_se.iter().enumerate() {
        close(
            *se,
            inverse.get(first_beta + t, first_beta + t).sqrt(),
            "SE of β",
        );
    }
    for k in 1..n_municipalities {
        for l in 1..n_municipalities {
            close(
                fit.alpha_covariance.get(k, l),
                inverse.get(n_pieces + k - 1, n_pieces + l - 1),
                &format!("Cov(α_{k}, α_{l})"),
            );
        }
    }
    assert_eq!(
        fit.alpha_covariance.get(0, 3),
        0.0,
        "the fixed α has no variance"
    );
}

/// 100,000 spells over 5,000 municipalities (most of them small) fit in a moment: the
/// municipality block is eliminated, never inverted densely.
#[test]
fn five_thousand_municipalities_fit() {
    use kommunebench_engine::numeric::rng::Rng;
    let mut rng = Rng::new(5000);
    let mut text = String::from("municipality,permit_date,end_date,outcome,age\n");
    for k in 0..5000 {
        let n = if k < 20 { 400 } else { 18 };
        let effect = 0.3 * rng.normal();
        for _ in 0..n {
            let age = 18 + rng.below(40);
            let rate = (effect - 0.02 * (age as f64 - 35.0)).exp() / 20.0;
            let days = (rng.exponential(rate) * 30.4).ceil().min(2000.0) as i64;
            let outcome = if days < 2000 { "self_support" } else { "none" };
            let end = kommunebench_engine::cohort::time::Date::from_days_since_epoch(
                11_323 + days.max(1),
            );
            text.push_str(&format!("K{k:04},2001-01-01,{end},{outcome},{age}\n"));
        }
    }
    let model = fit_ranking(&read_cohort(text.as_bytes()), ModelOptions::default()).expect("fits");
    assert_eq!(model.ranking.len(), 20);
    assert!(model.unranked.len() >= 4900);
    assert!(model
        .ranking
        .iter()
        .all(|r| r.uncertainty.effect_se_months.is_some()));
}

/// Over a thousand *ranked* municipalities (of 2,000) (a fine unit mapped to the municipality column, a
/// low `--min-spells`): Var(û) and the rank draws in structured form, never |R|×|R|
/// (`model::residual_variance`). Every ranked municipality gets its §7–§8 fields, its rank
/// inside its interval, and the ranks are a permutation.
#[test]
fn over_a_thousand_ranked_municipalities_fit() {
    use kommunebench_engine::demo::synthetic::{synthetic_rows, SYNTHETIC_HEADER};
    use kommunebench_engine::model::residual_variance::DENSE_RANKED_LIMIT;
    let mut text = SYNTHETIC_HEADER.to_owned();
    for row in synthetic_rows(80_000, 2_000, 3) {
        text.push_str(&row);
    }
    let options = ModelOptions {
        min_spells: 15,
        rank_draws: 200,
        ..ModelOptions::default()
    };
    let model = fit_ranking(&read_cohort(text.as_bytes()), options).expect("fits");
    let n_ranked = model.ranking.len();
    assert!(n_ranked > 2 * DENSE_RANKED_LIMIT, "{n_ranked} ranked");
    let mut ranks: Vec<usize> = model.ranking.iter().map(|r| r.rank).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=n_ranked).collect::<Vec<_>>());
    for row in &model.ranking {
        let u = &row.uncertainty;
        let se = u.effect_se_months.expect("an SE");
        assert!(se > 0.0 && se.is_finite(), "{}: SE {se}", row.municipality);
        let [low, high] = u.effect_interval_months.expect("an interval");
        assert!(
            low <= row.effect_months && row.effect_months <= high,
            "{}",
            row.municipality
        );
        let [lo, hi] = u.rank_interval.expect("a rank interval");
        assert!(
            lo <= row.rank && row.rank <= hi && hi <= n_ranked,
            "{}",
            row.municipality
        );
        assert!(row.p_value.is_some_and(|p| (0.0..=1.0).contains(&p)));
    }
    assert!(model.tau_squared.is_some());
}
