//! Kaplan–Meier against lifelines, and its properties.

use std::path::Path;

use kommunebench_engine::cohort::time::DAYS_PER_MONTH;
use kommunebench_engine::numeric::tolerance::KM_REFERENCE_ABS;
use kommunebench_engine::survival::km::KaplanMeier;
use kommunebench_engine::survival::tables::{
    cohort_curves, kaplan_meier_of, outcome_shares, outcome_shares_by,
};
use kommunebench_engine::{read_spells_from_bytes, ReadOptions};
use proptest::prelude::*;
use serde_json::Value;

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
        .expect("the test input is as the test expects")
}

fn optional_numbers(value: &Value) -> Vec<Option<f64>> {
    value
        .as_array()
        .map(|a| a.iter().map(Value::as_f64).collect())
        .expect("the test input is as the test expects")
}

/// Reference values from `tests/fixtures/km/make_km_fixtures.py`:
/// `KaplanMeierFitter(alpha=0.05).fit(durations=t1, event_observed=d, entry=t0 + 1e-7)`,
/// its `event_table`, `survival_function_` and `confidence_interval_`, cross-checked in the
/// script against a numpy KM with the (t0, t1] risk set.
fn check_against_lifelines(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/km/km_reference_{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let spells = &fixture["spells"];
    let time_enter: Vec<f64> = numbers(&spells["entry_days"])
        .iter()
        .map(|d| d / DAYS_PER_MONTH)
        .collect();
    let time_exit: Vec<f64> = numbers(&spells["exit_days"])
        .iter()
        .map(|d| d / DAYS_PER_MONTH)
        .collect();
    let is_event: Vec<bool> = numbers(&spells["event"])
        .iter()
        .map(|&d| d == 1.0)
        .collect();
    assert!(time_enter.len() >= 2000 && time_enter.iter().filter(|&&t| t > 0.0).count() > 100);

    let km = KaplanMeier::fit(&time_enter, &time_exit, &is_event);
    let reference = &fixture["km"];
    let counts = |v: &Value| numbers(v).iter().map(|&x| x as u64).collect::<Vec<u64>>();
    let (times, at_risk, events) = (
        numbers(&reference["time"]),
        counts(&reference["n_at_risk"]),
        counts(&reference["n_events"]),
    );
    assert_eq!(km.time.len(), times.len(), "number of event times");
    for j in 0..times.len() {
        assert_eq!(
            (km.time[j], km.n_at_risk[j], km.n_events[j]),
            (times[j], at_risk[j], events[j]),
            "event time {j}"
        );
    }
    let z = fixture["z"].as_f64().unwrap_or(f64::NAN);
    let lower = optional_numbers(&reference["cumulative_lower"]);
    let upper = optional_numbers(&reference["cumulative_upper"]);
    for (j, want) in numbers(&reference["survival"]).into_iter().enumerate() {
        assert!(
            (km.survival[j] - want).abs() <= KM_REFERENCE_ABS,
            "S at {}: {} vs {want}",
            km.time[j],
            km.survival[j]
        );
        match (km.cumulative_limits(j, z), lower[j], upper[j]) {
            (Some((l, u)), Some(want_l), Some(want_u)) => {
                assert!(
                    (l - want_l).abs() <= KM_REFERENCE_ABS,
                    "lower F at {}: {l} vs {want_l}",
                    km.time[j]
                );
                assert!(
                    (u - want_u).abs() <= KM_REFERENCE_ABS,
                    "upper F at {}: {u} vs {want_u}",
                    km.time[j]
                );
            }
            (None, _, _) => assert!(km.survival[j] == 0.0 || km.survival[j] == 1.0),
            (got, l, u) => panic!("limits at {}: {got:?} vs {l:?} {u:?}", km.time[j]),
        }
    }
}

#[test]
fn agrees_with_lifelines_on_data_set_a() {
    check_against_lifelines("a");
}

#[test]
fn agrees_with_lifelines_on_data_set_b() {
    check_against_lifelines("b");
}

/// The cohort table's blank rule and the outcome shares on a small file: permit year 2001
/// has spells up to 2005-12-12 (> 48 months), 2004 only up to 2005-06-30.
#[test]
fn outcome_shares_and_cohort_table() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read/spells_utf8_comma.csv");
    let bytes = std::fs::read(path).expect("the test input is as the test expects");
    let Ok(report) = read_spells_from_bytes(&bytes, &ReadOptions::default()) else {
        panic!("fixture reads")
    };
    let cohort = &report.cohort;

    let all = outcome_shares(cohort);
    assert_eq!(all.spells, 7);
    assert_eq!(
        (all.self_support, all.education, all.none),
        (2.0 / 7.0, 2.0 / 7.0, 3.0 / 7.0)
    );
    let Some(by_sex) = outcome_shares_by(cohort, "sex") else {
        panic!("sex is categorical")
    };
    assert_eq!(
        by_sex
            .iter()
            .map(|(level, s)| (level.as_str(), s.spells))
            .collect::<Vec<_>>(),
        [("K", 4), ("M", 3)]
    );
    assert_eq!(by_sex[0].1.education, 0.5);
    assert_eq!(outcome_shares_by(cohort, "age"), None);

    let curves = cohort_curves(cohort);
    assert_eq!(
        curves.iter().map(|c| c.permit_year).collect::<Vec<_>>(),
        [1999, 2000, 2001, 2002, 2003, 2004]
    );
    // 2004: one spell, 2004-12-31 to 2005-06-30 (5.9 months): no spell reaches 12 months,
    // so the whole row is blank.
    assert_eq!(curves[5].cumulative, [None; 6]);
    // 2001: a spell from 2001-03-15 to 2003-06-01 (self-support at 26.5 months) and one that
    // entered at 12.0 months and is censored at 2005-12-12 (52.1 months). Both are at risk at
    // 26.5, so S = 1/2 from then on; blank beyond 52.1 months.
    assert_eq!(
        curves[2].cumulative,
        [Some(0.0), Some(0.0), Some(0.5), Some(0.5), None, None]
    );

    // Brøndby: censored at 31.3 months and an education at 5.9 months with both at risk.
    let by_municipality: Vec<_> = cohort
        .spells_by_municipality()
        .iter()
        .map(|spells| kaplan_meier_of(cohort, spells))
        .collect();
    assert_eq!(cohort.municipality_names[0], "Brøndby");
    assert_eq!(
        (
            by_municipality[0].n_at_risk.as_slice(),
            by_municipality[0].survival.as_slice()
        ),
        (&[2][..], &[0.5][..])
    );
}

fn spells() -> impl Strategy<Value = Vec<(u32, u32, bool)>> {
    prop::collection::vec((0u32..400, 1u32..400, any::<bool>()), 1..120).prop_map(|v| {
        v.into_iter()
            .map(|(entry, length, event)| (entry, entry + length, event))
            .collect()
    })
}

fn fit(spells: &[(u32, u32, bool)]) -> KaplanMeier {
    let time_enter: Vec<f64> = spells
        .iter()
        .map(|s| f64::from(s.0) / DAYS_PER_MONTH)
        .collect();
    let time_exit: Vec<f64> = spells
        .iter()
        .map(|s| f64::from(s.1) / DAYS_PER_MONTH)
        .collect();
    let is_event: Vec<bool> = spells.iter().map(|s| s.2).collect();
    KaplanMeier::fit(&time_enter, &time_exit, &is_event)
}

proptest! {
    #[test]
    fn cumulative_share_is_non_decreasing_in_0_1(spells in spells()) {
        let km = fit(&spells);
        let mut previous = 0.0;
        for &s in &km.survival {
            let f = 1.0 - s;
            prop_assert!((0.0..=1.0).contains(&f) && f >= previous);
            previous = f;
        }
    }

    #[test]
    fn without_late_entry_it_is_the_plain_product_limit(spells in spells()) {
        let from_zero: Vec<(u32, u32, bool)> = spells.iter().map(|&(_, exit, event)| (0, exit, event)).collect();
        let km = fit(&from_zero);
        // Plain KM: n_j = #{t1 ≥ t_j}.
        let mut survival = 1.0;
        for (j, &t) in km.time.iter().enumerate() {
            let t_days = (t * DAYS_PER_MONTH).round() as u32;
            let n = from_zero.iter().filter(|s| s.1 >= t_days).count() as f64;
            let d = from_zero.iter().filter(|s| s.1 == t_days && s.2).count() as f64;
            survival *= 1.0 - d / n;
            prop_assert!((km.survival[j] - survival).abs() < 1e-14);
        }
    }

    #[test]
    fn row_order_does_not_matter(spells in spells(), seed in any::<u64>()) {
        let mut shuffled = spells.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(fit(&spells), fit(&shuffled));
    }
}
