//! The demo data set meets its calibration targets for the default seed, and is the same
//! bytes every time.

use kommunebench_engine::demo::{
    demo_csv, fingerprint, other_municipalities, outcome_counts, published_ranking,
    DEFAULT_DEMO_FINGERPRINT, DEFAULT_SEED, SHARES_ALL, SHARES_MEN, SHARES_WOMEN, TABLE3,
    TOTAL_SPELLS,
};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::numeric::correlation::spearman;
use kommunebench_engine::report::analyse;
use kommunebench_engine::{read_spells_from_bytes, ReadOptions};

#[test]
fn the_default_demo_meets_the_calibration_targets() {
    let bytes = demo_csv(DEFAULT_SEED);
    assert_eq!(
        fingerprint(&bytes),
        DEFAULT_DEMO_FINGERPRINT,
        "the demo bytes changed: recalibrate or update the constant"
    );
    let read =
        read_spells_from_bytes(&bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.excluded_rows, vec![]);
    let cohort = &read.cohort;
    assert_eq!(cohort.n_spells(), TOTAL_SPELLS);
    let late_entries = cohort.time_enter.iter().filter(|&&t| t > 0.0).count();
    assert!(
        (0.04..0.06).contains(&(late_entries as f64 / TOTAL_SPELLS as f64)),
        "movers' second spells: {late_entries}"
    );

    let analysis = analyse(&read, ModelOptions::default());
    let rounds = |count: f64, percent: f64| (100.0 * count - percent).abs() < 0.05;
    let all = &analysis.outcomes;
    assert!(
        rounds(all.self_support, SHARES_ALL[0])
            && rounds(all.education, SHARES_ALL[1])
            && rounds(all.none, SHARES_ALL[2])
    );
    for (level, shares) in &analysis.outcomes_by_sex {
        let published = if level == "M" {
            SHARES_MEN
        } else {
            SHARES_WOMEN
        };
        assert!(rounds(shares.self_support, published[0]), "{level}");
        assert!(rounds(shares.education, published[1]), "{level}");
        assert!(rounds(shares.none, published[2]), "{level}");
    }
    assert_eq!(
        analysis
            .outcomes_by_sex
            .iter()
            .map(|(l, s)| (l.as_str(), s.spells))
            .collect::<Vec<_>>(),
        [("K", 11_748), ("M", 11_815)]
    );
    let (men, women) = outcome_counts();
    assert_eq!(
        men.iter().sum::<usize>() + women.iter().sum::<usize>(),
        TOTAL_SPELLS
    );

    // The 72 ranked municipalities, with their published names and spell counts.
    let published = published_ranking();
    let model = analysis.model.as_ref().expect("the demo fits");
    let ranking = &model.ranking;
    assert_eq!(ranking.len(), 72);
    let (mut demo_effects, mut published_effects, mut within_3_points) =
        (Vec::new(), Vec::new(), 0);
    for target in &published {
        let Some(row) = ranking.iter().find(|r| r.municipality == target.name) else {
            panic!("{} not ranked", target.name)
        };
        assert_eq!(row.spells, target.spells, "{}", target.name);
        within_3_points +=
            usize::from((100.0 * row.completed_share - target.completed_percent).abs() <= 3.0);
        demo_effects.push(row.effect_months);
        published_effects.push(target.effect_months);
    }
    assert!(
        within_3_points * 10 >= 72 * 9,
        "completed share within ±3 points for {within_3_points} of 72"
    );
    let rho = spearman(&demo_effects, &published_effects);
    assert!(rho >= 0.9, "Spearman {rho}");
    // The seed's "the characteristics explain 72 pct. of the differences" (MODEL.md §8).
    let explained = model.explained_share.expect("72 ranked municipalities");
    assert!(
        (explained - 0.72).abs() <= 0.03,
        "explained share {explained}"
    );

    // Every other municipality has fewer than 80 spells and is one of the time's.
    let others = other_municipalities();
    for unranked in &model.unranked {
        assert!(unranked.spells < 80, "{}", unranked.municipality);
        assert!(
            others.contains(&unranked.municipality),
            "{}",
            unranked.municipality
        );
    }

    // Cohort curves within ±3 points of table 3.
    assert_eq!(
        analysis
            .cohorts
            .iter()
            .map(|c| c.permit_year)
            .collect::<Vec<_>>(),
        [1999, 2000, 2001, 2002, 2003, 2004]
    );
    for (curve, published_row) in analysis.cohorts.iter().zip(TABLE3) {
        for (demo, published) in curve.cumulative.iter().zip(published_row) {
            if let (Some(demo), Some(published)) = (demo, published) {
                assert!(
                    (100.0 * demo - published).abs() <= 3.0,
                    "{}: {demo} vs {published}",
                    curve.permit_year
                );
            }
        }
    }
}

#[test]
fn the_seed_changes_the_data_but_not_the_published_counts() {
    let other = demo_csv(7);
    assert_ne!(fingerprint(&other), DEFAULT_DEMO_FINGERPRINT);
    let read =
        read_spells_from_bytes(&other, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.cohort.n_spells(), TOTAL_SPELLS);
}
