//! One analysis of a spell file, end to end, and its report: the JSON of MODEL.md §5 and the
//! terminal table in the style of the seed's table 4. The CLI and the web app both use this.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::measure::compare::{compare, Comparison, PreviousRanking};
use crate::measure::{success_cohort, success_text, PermitYears, DEFAULT_SUCCESS};
use crate::model::design::ModelOptions;
use crate::model::{fit_ranking_with_progress, ModelError, NationalRow, RankingModel};
use crate::progress::{Phase, Progress};
use crate::read::ReadReport;
use crate::survival::tables::{
    cohort_curves, outcome_shares, outcome_shares_by, CohortCurve, OutcomeShares,
};
use crate::{Language, Outcome};

/// Everything an analysis produces, before it is turned into a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub outcomes: OutcomeShares,
    pub outcomes_by_sex: Vec<(String, OutcomeShares)>,
    pub cohorts: Vec<CohortCurve>,
    /// The options the analysis ran with.
    pub options: ModelOptions,
    /// The outcomes that counted as success (MODEL.md §9).
    pub success: Vec<Outcome>,
    /// The ranking model, or why it cannot be fitted: the tables above stand either way
    /// (MODEL.md §6).
    pub model: Result<RankingModel, ModelError>,
}

/// Runs the descriptive tables and the ranking model on a read file.
pub fn analyse(read: &ReadReport, options: ModelOptions) -> Analysis {
    analyse_with_progress(read, options, &mut |_| {})
}

/// [`analyse`], reporting each step and each Newton iteration of the model to `progress`.
pub fn analyse_with_progress(
    read: &ReadReport,
    options: ModelOptions,
    progress: &mut dyn FnMut(Progress),
) -> Analysis {
    analyse_measured(read, options, &DEFAULT_SUCCESS, progress)
}

/// [`analyse_with_progress`] with the success definition of MODEL.md §9: the outcome tables
/// show every outcome; the cohort curves and the model count only `success` as events.
pub fn analyse_measured(
    read: &ReadReport,
    options: ModelOptions,
    success: &[Outcome],
    progress: &mut dyn FnMut(Progress),
) -> Analysis {
    let cohort = &read.cohort;
    progress(Progress::Phase(Phase::Tables));
    let outcomes = outcome_shares(cohort);
    let outcomes_by_sex = outcome_shares_by(cohort, "sex").unwrap_or_default();
    let recoded = success_cohort(cohort, success);
    let measured = recoded.as_ref().unwrap_or(cohort);
    let cohorts = cohort_curves(measured);
    Analysis {
        outcomes,
        outcomes_by_sex,
        cohorts,
        options,
        success: success.to_vec(),
        model: fit_ranking_with_progress(measured, options, progress),
    }
}

/// The JSON document of MODEL.md §5 (keys are a contract; more may be added).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonReport {
    pub outcomes: JsonOutcomes,
    pub cohorts: Vec<JsonCohort>,
    /// Null when the model cannot be fitted (then `model_error` says why).
    pub model: Option<JsonModel>,
    pub ranking: Vec<JsonRanked>,
    pub national: JsonNational,
    pub unranked: Vec<JsonUnranked>,
    pub excluded_rows: Vec<JsonExcludedRow>,
    pub ignored_columns: Vec<String>,
    /// Every data row: valid spells + excluded rows + rows outside the permit-year window.
    pub rows_read: usize,
    pub rows_outside_window: usize,
    /// Every choice the analysis ran with (MODEL.md §5, §9).
    pub options: JsonOptions,
    pub warnings: Vec<JsonWarning>,
    pub model_error: Option<JsonModelError>,
    /// MODEL.md §9 `--compare`: null without an earlier measurement.
    pub comparison: Option<Comparison>,
}

/// The options of an analysis.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonOptions {
    pub horizon_months: f64,
    pub piece_months: f64,
    pub min_spells: usize,
    pub rank_draws: usize,
    pub seed: u64,
    /// MODEL.md §9: the outcomes that count as success, `self_support,education`.
    pub success: String,
    /// `2002-2004`, `2002-`, `-2004`; null for every year.
    pub permit_years: Option<String>,
    /// The mapping file's name; null without one.
    pub map: Option<String>,
    /// The earlier measurement's file name; null without one.
    pub compare: Option<String>,
}

/// A warning of MODEL.md §6 (the analysis went on).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonWarning {
    pub code: String,
    pub message: String,
    /// Up to 20 line numbers.
    pub lines: Vec<u64>,
}

/// Why the model could not be fitted (MODEL.md §6).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonModelError {
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonOutcomes {
    pub all: JsonOutcomeShares,
    pub by_sex: BTreeMap<String, JsonOutcomeShares>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonOutcomeShares {
    pub self_support: f64,
    pub education: f64,
    pub none: f64,
    pub spells: usize,
}

impl From<&OutcomeShares> for JsonOutcomeShares {
    fn from(shares: &OutcomeShares) -> JsonOutcomeShares {
        JsonOutcomeShares {
            self_support: shares.self_support,
            education: shares.education,
            none: shares.none,
            spells: shares.spells,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonCohort {
    pub permit_year: i32,
    pub spells: usize,
    /// F at 12, 24, …, 72 months; null where the cohort's follow-up ends before.
    pub cumulative: [Option<f64>; 6],
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonModel {
    pub log_likelihood: f64,
    pub iterations: usize,
    pub max_abs_score: f64,
    pub r_squared_municipal: Option<f64>,
    /// MODEL.md §8: the share of the differences in observed duration that the
    /// characteristics explain (the seed's "72 pct."), and τ̂².
    pub explained_share: Option<f64>,
    pub tau_squared: Option<f64>,
    /// τ_m² of MODEL.md §7: the funnel's overdispersion on the months scale.
    pub overdispersion_months_squared: Option<f64>,
    /// The seeded draws behind `rank_interval` (MODEL.md §8).
    pub rank_draws: usize,
    pub seed: u64,
    pub coefficients: Vec<JsonCoefficient>,
    pub pooled_levels: Vec<JsonPooled>,
    pub dropped_covariates: Vec<String>,
    pub municipalities_without_events: Vec<String>,
    pub horizon_months: f64,
    pub piece_months: f64,
    pub min_spells: usize,
    pub stage_two: Vec<JsonCoefficientEstimate>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonCoefficient {
    pub term: String,
    pub estimate: f64,
    pub se: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonCoefficientEstimate {
    pub term: String,
    pub estimate: f64,
    /// √diag A(Σ_R + τ̂² I)Aᵀ (see `RankingModel::stage_two_se`).
    pub se: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonPooled {
    pub column: String,
    pub levels: Vec<String>,
    pub into: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct JsonRanked {
    pub rank: usize,
    pub municipality: String,
    pub observed_months: f64,
    pub expected_months: f64,
    pub effect_months: f64,
    pub p_value: Option<f64>,
    pub stars: String,
    pub spells: usize,
    pub completed_share: f64,
    /// SE of the effect for the caterpillar plot (MODEL.md §7); null without p-value.
    pub effect_se_months: Option<f64>,
    /// MODEL.md §8: the 95 % interval of the effect mapped through the model.
    pub effect_interval_months: Option<[f64; 2]>,
    /// Benjamini–Hochberg q-value.
    pub q_value: Option<f64>,
    /// Empirical-Bayes effect g_k(B_k û_k) and its rank (null when τ̂² = 0).
    pub shrunken_effect_months: Option<f64>,
    pub shrunken_rank: Option<usize>,
    /// [lo, hi]: the 2.5 % and 97.5 % points of the rank over seeded draws.
    pub rank_interval: Option<[usize; 2]>,
    /// MODEL.md §9 `--compare`: the rank in the earlier measurement (null if it was not
    /// ranked then, or without a comparison).
    pub previous_rank: Option<usize>,
    /// previous_rank − rank: positive = moved up.
    pub rank_change: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonNational {
    pub observed_months: Option<f64>,
    pub expected_months: Option<f64>,
    pub effect_months: Option<f64>,
    pub spells: usize,
    pub completed_share: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonUnranked {
    pub municipality: String,
    pub spells: usize,
    pub completed_share: f64,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JsonExcludedRow {
    pub line: u64,
    /// A stable code (`invalid_date`, `missing_value`, …).
    pub reason: String,
    pub column: Option<String>,
    pub value: Option<String>,
    /// The reason in words, in the report's language.
    pub message: String,
}

impl JsonReport {
    pub fn new(read: &ReadReport, analysis: &Analysis, language: Language) -> JsonReport {
        let cohort = &read.cohort;
        let n_completed = cohort
            .outcome
            .iter()
            .filter(|o| analysis.success.contains(o))
            .count();
        let without_model = NationalRow {
            observed_months: None,
            expected_months: None,
            effect_months: None,
            spells: cohort.n_spells(),
            completed_share: n_completed as f64 / cohort.n_spells().max(1) as f64,
        };
        let (model, national, ranking, unranked) = match &analysis.model {
            Ok(model) => (
                Some(json_model(model)),
                &model.national,
                json_ranking(model),
                json_unranked(model),
            ),
            Err(_) => (None, &without_model, Vec::new(), Vec::new()),
        };
        JsonReport {
            outcomes: JsonOutcomes {
                all: (&analysis.outcomes).into(),
                by_sex: analysis
                    .outcomes_by_sex
                    .iter()
                    .map(|(level, shares)| (level.clone(), shares.into()))
                    .collect(),
            },
            cohorts: analysis
                .cohorts
                .iter()
                .map(|c| JsonCohort {
                    permit_year: c.permit_year,
                    spells: c.spells,
                    cumulative: c.cumulative,
                })
                .collect(),
            model,
            ranking,
            national: JsonNational {
                observed_months: national.observed_months,
                expected_months: national.expected_months,
                effect_months: national.effect_months,
                spells: national.spells,
                completed_share: national.completed_share,
            },
            unranked,
            excluded_rows: read
                .excluded_rows
                .iter()
                .map(|row| JsonExcludedRow {
                    line: row.line,
                    reason: row.problem.code().to_owned(),
                    column: row.column.clone(),
                    value: row.value.clone(),
                    message: row.message(language),
                })
                .collect(),
            ignored_columns: read.ignored_columns.clone(),
            rows_read: cohort.n_spells() + read.excluded_rows.len(),
            rows_outside_window: 0,
            options: JsonOptions {
                horizon_months: analysis.options.horizon_months,
                piece_months: analysis.options.piece_months,
                min_spells: analysis.options.min_spells,
                rank_draws: analysis.options.rank_draws,
                seed: analysis.options.seed,
                success: success_text(&analysis.success),
                permit_years: None,
                map: None,
                compare: None,
            },
            warnings: read
                .warnings
                .iter()
                .map(|w| JsonWarning {
                    code: w.code.code().to_owned(),
                    message: w.message(language),
                    lines: w.lines.clone(),
                })
                .collect(),
            model_error: analysis.model.as_ref().err().map(|e| JsonModelError {
                code: e.code().to_owned(),
                message: e.message(language),
            }),
            comparison: None,
        }
    }

    /// States the permit-year window and the mapping of MODEL.md §9 (the report was made
    /// from the file they produced): `rows_read` counts the rows outside the window too.
    pub fn with_window_and_mapping(
        mut self,
        rows_outside_window: usize,
        permit_years: PermitYears,
        map_name: Option<&str>,
    ) -> JsonReport {
        self.rows_outside_window = rows_outside_window;
        self.rows_read += rows_outside_window;
        self.options.permit_years = (!permit_years.is_all()).then(|| permit_years.text());
        self.options.map = map_name.map(str::to_owned);
        self
    }

    /// Compares the ranking with an earlier one (MODEL.md §9 `--compare`).
    pub fn compare_with(&mut self, previous: &PreviousRanking) {
        let current: Vec<(&str, usize)> = self
            .ranking
            .iter()
            .map(|r| (r.municipality.as_str(), r.rank))
            .collect();
        let (before, comparison) = compare(&current, previous);
        for (row, before) in self.ranking.iter_mut().zip(before) {
            row.previous_rank = before;
            row.rank_change = before.map(|b| b as i64 - row.rank as i64);
        }
        self.options.compare = Some(previous.source.clone());
        self.comparison = Some(comparison);
    }
}

fn json_model(model: &RankingModel) -> JsonModel {
    JsonModel {
        log_likelihood: model.convergence.log_likelihood,
        iterations: model.convergence.iterations,
        max_abs_score: model.convergence.max_abs_score,
        r_squared_municipal: model.r_squared_municipal,
        explained_share: model.explained_share,
        tau_squared: model.tau_squared,
        overdispersion_months_squared: model.overdispersion_months_squared,
        rank_draws: model.options.rank_draws,
        seed: model.options.seed,
        coefficients: model
            .coefficients
            .iter()
            .map(|c| JsonCoefficient {
                term: c.term.clone(),
                estimate: c.estimate,
                se: c.se,
            })
            .collect(),
        pooled_levels: model
            .pooled_levels
            .iter()
            .map(|p| JsonPooled {
                column: p.column.clone(),
                levels: p.levels.clone(),
                into: p.into.clone(),
            })
            .collect(),
        dropped_covariates: model.dropped_covariates.clone(),
        municipalities_without_events: model.municipalities_without_events.clone(),
        horizon_months: model.options.horizon_months,
        piece_months: model.options.piece_months,
        min_spells: model.options.min_spells,
        stage_two: model
            .stage_two_terms
            .iter()
            .zip(&model.stage_two_coefficients)
            .zip(&model.stage_two_se)
            .map(|((term, &estimate), &se)| JsonCoefficientEstimate {
                term: term.clone(),
                estimate,
                se,
            })
            .collect(),
    }
}

fn json_ranking(model: &RankingModel) -> Vec<JsonRanked> {
    model
        .ranking
        .iter()
        .map(|r| JsonRanked {
            rank: r.rank,
            municipality: r.municipality.clone(),
            observed_months: r.observed_months,
            expected_months: r.expected_months,
            effect_months: r.effect_months,
            p_value: r.p_value,
            stars: r.stars.to_owned(),
            spells: r.spells,
            completed_share: r.completed_share,
            effect_se_months: r.uncertainty.effect_se_months,
            effect_interval_months: r.uncertainty.effect_interval_months,
            q_value: r.uncertainty.q_value,
            shrunken_effect_months: r.uncertainty.shrunken_effect_months,
            shrunken_rank: r.uncertainty.shrunken_rank,
            rank_interval: r.uncertainty.rank_interval,
            previous_rank: None,
            rank_change: None,
        })
        .collect()
}

fn json_unranked(model: &RankingModel) -> Vec<JsonUnranked> {
    model
        .unranked
        .iter()
        .map(|u| JsonUnranked {
            municipality: u.municipality.clone(),
            spells: u.spells,
            completed_share: u.completed_share,
            reason: u.reason.code().to_owned(),
        })
        .collect()
}

impl Language {
    /// `value` with `decimals` digits and this language's decimal separator (`,` in Danish);
    /// `−` (U+2212) for negatives, no sign on a value that rounds to zero, `–` when not finite.
    pub fn format_number(self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return "–".to_owned();
        }
        let text = format!("{:.*}", decimals, value.abs());
        let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
        let text = if self == Language::Danish {
            text.replace('.', ",")
        } else {
            text
        };
        if value < 0.0 && !is_zero {
            format!("\u{2212}{text}")
        } else {
            text
        }
    }
}

/// How a rank moved since the earlier measurement (MODEL.md §9 `rank_change`), as tables
/// show it: "▲ 3" (up three places), "▼ 2", "=", or "ny" / "new" (not ranked then).
pub fn rank_change_shown(rank_change: Option<i64>, language: Language) -> String {
    match rank_change {
        None => match language {
            Language::Danish => "ny".to_owned(),
            Language::English => "new".to_owned(),
        },
        Some(0) => "=".to_owned(),
        Some(up) if up > 0 => format!("▲ {up}"),
        Some(down) => format!("▼ {}", -down),
    }
}

/// The ranking as a plain-text table, like the seed's table 4, in `language` (the model's
/// error in words when it could not be fitted). With `compared`, the report of the same
/// analysis compared with an earlier one (`JsonReport::compare_with`), a column shows each
/// rank's change.
pub fn ranking_table(
    analysis: &Analysis,
    language: Language,
    compared: Option<&JsonReport>,
) -> String {
    let model = match &analysis.model {
        Ok(model) => model,
        Err(error) => return format!("{}\n", error.message(language)),
    };
    let (title, headers, national_label, legend) = match language {
        Language::Danish => (
            format!(
                "Effektmål for {} kommuner: gennemsnitlig varighed op til {} måneder",
                model.ranking.len(),
                language.format_number(model.options.horizon_months, 0)
            ),
            [
                "Rang",
                "Kommune",
                "Observeret",
                "Forventet",
                "Effekt",
                "Sign.",
                "q",
                "Rang 95 %",
                "Forløb",
                "Afsluttet %",
            ],
            "Hele landet",
            "*** p < 0,05   ** p < 0,10   * p < 0,20 (forskel fra landsgennemsnittet)\n\
             q: Benjamini–Hochberg (andelen af falske fund blandt kommuner med mindst så lille p)\n\
             Rang 95 %: kommunens rang ligger i dette interval med 95 % sandsynlighed",
        ),
        Language::English => (
            format!(
                "Effect for {} municipalities: mean duration up to {} months",
                model.ranking.len(),
                language.format_number(model.options.horizon_months, 0)
            ),
            [
                "Rank",
                "Municipality",
                "Observed",
                "Expected",
                "Effect",
                "Sign.",
                "q",
                "Rank 95 %",
                "Spells",
                "Completed %",
            ],
            "National",
            "*** p < 0.05   ** p < 0.10   * p < 0.20 (difference from the national average)\n\
             q: Benjamini–Hochberg (the false discovery rate among municipalities with a p this small)\n\
             Rank 95 %: the municipality's rank lies in this interval with 95 % probability",
        ),
    };
    let optional =
        |value: Option<f64>| value.map_or_else(|| "–".to_owned(), |v| language.format_number(v, 3));
    let mut rows: Vec<Vec<String>> = model
        .ranking
        .iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.municipality.clone(),
                language.format_number(r.observed_months, 3),
                language.format_number(r.expected_months, 3),
                language.format_number(r.effect_months, 3),
                r.stars.to_owned(),
                r.uncertainty
                    .q_value
                    .map_or_else(|| "–".to_owned(), |q| language.format_number(q, 3)),
                r.uncertainty
                    .rank_interval
                    .map_or_else(|| "–".to_owned(), |[lo, hi]| format!("{lo}–{hi}")),
                r.spells.to_string(),
                language.format_number(100.0 * r.completed_share, 0),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        national_label.to_owned(),
        optional(model.national.observed_months),
        optional(model.national.expected_months),
        optional(model.national.effect_months),
        String::new(),
        String::new(),
        String::new(),
        model.national.spells.to_string(),
        language.format_number(100.0 * model.national.completed_share, 0),
    ]);
    let mut headers: Vec<&str> = headers.to_vec();
    // Text columns left-aligned (the municipality, the stars), numbers right-aligned.
    let mut text_columns = [1, 5];
    let mut legend = legend.to_owned();
    if let Some((report, comparison)) =
        compared.and_then(|report| Some((report, report.comparison.as_ref()?)))
    {
        headers.insert(1, change_header(language));
        text_columns = [2, 6];
        let changes: std::collections::HashMap<&str, Option<i64>> = report
            .ranking
            .iter()
            .map(|r| (r.municipality.as_str(), r.rank_change))
            .collect();
        for (row, ranked) in rows.iter_mut().zip(&model.ranking) {
            let change = changes.get(ranked.municipality.as_str()).copied().flatten();
            row.insert(1, rank_change_shown(change, language));
        }
        // The national row (last) has no change.
        if let Some(national) = rows.last_mut() {
            national.insert(1, String::new());
        }
        legend.push_str(&change_legend(language, &comparison.source));
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: &[String]| {
        let mut line = String::new();
        for (column, (cell, &width)) in cells.iter().zip(&widths).enumerate() {
            let padding = " ".repeat(width - cell.chars().count());
            if text_columns.contains(&column) {
                line.push_str(cell);
                line.push_str(&padding);
            } else {
                line.push_str(&padding);
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        line.trim_end().to_owned()
    };
    let header_cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let mut out = format!("{title}\n\n{}\n", render(&header_cells));
    for (position, row) in rows.iter().enumerate() {
        if position + 1 == rows.len() {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
        out.push_str(&render(row));
        out.push('\n');
    }
    out.push_str(&format!("\n{legend}\n"));
    out
}

fn change_header(language: Language) -> &'static str {
    match language {
        Language::Danish => "Ændring",
        Language::English => "Change",
    }
}

fn change_legend(language: Language, source: &str) -> String {
    match language {
        Language::Danish => format!(
            "\nÆndring: pladser op (▲) eller ned (▼) siden den tidligere måling ({source}); ny: ikke rangordnet dengang"
        ),
        Language::English => format!(
            "\nChange: places up (▲) or down (▼) since the earlier measurement ({source}); new: not ranked then"
        ),
    }
}
