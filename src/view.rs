//! Derivations for the results page, as plain functions tested natively: sorting and
//! searching the ranking, top and bottom marks, downloads.

use kommunebench_engine::report::{JsonRanked, JsonReport};

use crate::i18n::Lang;
use crate::worker::protocol::WebResult;

/// A sortable column of the ranking table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Rank,
    Municipality,
    Observed,
    Expected,
    Effect,
    Spells,
    Completed,
}

/// The rows of `ranking` to show, in order: those whose name contains `search`
/// (case-insensitive), sorted by `key`, ascending or not; ties by rank.
/// Rows of the ranking table per page.
pub const RANKING_PAGE_ROWS: usize = 100;

/// The positions of `page` (from 0) among `n_rows` rows, pages of [`RANKING_PAGE_ROWS`]; a
/// page beyond the last shows the last.
pub fn page_rows(n_rows: usize, page: usize) -> std::ops::Range<usize> {
    if n_rows == 0 {
        return 0..0;
    }
    let page = page.min((n_rows - 1) / RANKING_PAGE_ROWS);
    let start = page * RANKING_PAGE_ROWS;
    start..(start + RANKING_PAGE_ROWS).min(n_rows)
}

pub fn visible_rows(
    ranking: &[JsonRanked],
    search: &str,
    key: SortKey,
    ascending: bool,
) -> Vec<usize> {
    let needle = search.trim().to_lowercase();
    let mut rows: Vec<usize> = (0..ranking.len())
        .filter(|&i| ranking[i].municipality.to_lowercase().contains(&needle))
        .collect();
    rows.sort_by(|&a, &b| {
        let (x, y) = (&ranking[a], &ranking[b]);
        let order = match key {
            SortKey::Rank => x.rank.cmp(&y.rank),
            SortKey::Municipality => x.municipality.cmp(&y.municipality),
            SortKey::Observed => x.observed_months.total_cmp(&y.observed_months),
            SortKey::Expected => x.expected_months.total_cmp(&y.expected_months),
            SortKey::Effect => x.effect_months.total_cmp(&y.effect_months),
            SortKey::Spells => x.spells.cmp(&y.spells),
            SortKey::Completed => x.completed_share.total_cmp(&y.completed_share),
        };
        let order = if ascending { order } else { order.reverse() };
        order.then(x.rank.cmp(&y.rank))
    });
    rows
}

/// How many rows of a list that can be long (excluded rows, unranked municipalities) the page
/// renders; the count says how many there are, and the download has them all.
pub const LONG_LIST_SHOWN: usize = 100;

/// Which effects the results show: the seed's fixed effects, or the empirical-Bayes
/// shrunken ones (MODEL.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EffectView {
    #[default]
    Fixed,
    Shrunken,
}

/// The ranking as `view` shows it. Fixed: as reported. Shrunken: each row's effect is its
/// shrunken effect and the rows are in shrunken-rank order with that rank (rows without one,
/// whose Var(û) is 0, follow in their fixed order); intervals are left out, as the mapped
/// interval belongs to the fixed effect. When τ̂² = 0 no row has a shrunken rank: the order
/// stays and every effect is 0.
pub fn ranking_in_view(ranking: &[JsonRanked], view: EffectView) -> Vec<JsonRanked> {
    if view == EffectView::Fixed {
        return ranking.to_vec();
    }
    let mut rows: Vec<JsonRanked> = ranking
        .iter()
        .map(|row| JsonRanked {
            effect_months: row.shrunken_effect_months.unwrap_or(row.effect_months),
            effect_interval_months: None,
            ..row.clone()
        })
        .collect();
    rows.sort_by_key(|row| (row.shrunken_rank.unwrap_or(usize::MAX), row.rank));
    if rows.iter().any(|row| row.shrunken_rank.is_some()) {
        for (position, row) in rows.iter_mut().enumerate() {
            row.rank = position + 1;
        }
    }
    rows
}

/// "3–11": the rank interval of MODEL.md §8, or "–" without one.
pub fn rank_interval_text(row: &JsonRanked) -> String {
    row.rank_interval
        .map_or_else(|| "–".to_owned(), |[lo, hi]| format!("{lo}–{hi}"))
}

/// The ranked municipalities' names in code-point order, for choosing one from a list.
pub fn sorted_municipalities(ranking: &[JsonRanked]) -> Vec<String> {
    let mut names: Vec<String> = ranking.iter().map(|r| r.municipality.clone()).collect();
    names.sort();
    names
}

/// Top or bottom five of the ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Fastest,
    Slowest,
}

/// Ranks 1–5 are the fastest relative to expectation, the last five the slowest.
pub fn mark(rank: usize, n_ranked: usize) -> Option<Mark> {
    if n_ranked >= 10 && rank <= 5 {
        Some(Mark::Fastest)
    } else if n_ranked >= 10 && rank + 5 > n_ranked {
        Some(Mark::Slowest)
    } else {
        None
    }
}

/// A share (0.583) as a percentage with `decimals` digits in the language's format.
pub fn percent(lang: Lang, share: f64, decimals: usize) -> String {
    format!("{} %", lang.format_number(100.0 * share, decimals))
}

/// The excluded rows as a CSV file in `lang` (the export crate's one CSV writer: BOM, `;` and
/// decimal comma in Danish, values neutralised against formulas).
pub fn excluded_rows_csv(result: &WebResult, lang: Lang) -> String {
    kommunebench_export::excluded_rows_csv(&result.excluded_rows, lang.engine())
}

/// A short summary in the seed's style, in `lang`: the national share completed, the five
/// fastest and slowest relative to expectation with their months, the cohort trend, and a
/// sentence on uncertainty. It does not overclaim: a municipality among the five whose
/// difference is not significant (p ≥ 0.05) is named as such.
/// Every choice the analysis ran with, in one line (the summary and the print view).
pub fn options_text(report: &JsonReport, lang: Lang) -> String {
    let t = lang.texts();
    let options = &report.options;
    let mut parts = vec![
        format!(
            "{} {} {}",
            t.horizon_label,
            lang.format_number(options.horizon_months, 0),
            t.months_unit
        ),
        format!(
            "{} {} {}",
            t.piece_label,
            lang.format_number(options.piece_months, 0),
            t.months_unit
        ),
        format!("{} {}", t.min_spells_label, options.min_spells),
        format!(
            "{}: {}",
            t.success_legend,
            success_words(&options.success, lang)
        ),
    ];
    if let Some(window) = &options.permit_years {
        parts.push(format!("{} {window}", t.permit_years_label_short));
    }
    if let Some(map) = &options.map {
        parts.push(format!("{} {map}", t.map_label_short));
    }
    if let Some(previous) = &options.compare {
        parts.push(format!("{} {previous}", t.compare_label_short));
    }
    format!("{}: {}.", t.print_options, parts.join("; "))
}

/// The success definition of MODEL.md §9 in words ("self-support or education").
pub fn success_words(success: &str, lang: Lang) -> &'static str {
    match (success, lang) {
        ("self_support", Lang::Da) => "selvforsørgelse",
        ("self_support", Lang::En) => "self-support",
        ("education", Lang::Da) => "uddannelse",
        ("education", Lang::En) => "education",
        (_, Lang::Da) => "selvforsørgelse eller uddannelse",
        (_, Lang::En) => "self-support or education",
    }
}

/// The change of rank as shown ("▲ 12", "▼ 3", "=", "ny") and as read aloud.
pub fn rank_change_text(row: &JsonRanked, lang: Lang) -> (String, String) {
    let shown = kommunebench_engine::report::rank_change_shown(row.rank_change, lang.engine());
    let spoken = match (row.rank_change, lang) {
        (None, _) => lang.texts().rank_change_new.to_owned(),
        (Some(0), Lang::Da) => "uændret".to_owned(),
        (Some(0), Lang::En) => "unchanged".to_owned(),
        (Some(up), Lang::Da) if up > 0 => format!("op {up}"),
        (Some(up), Lang::En) if up > 0 => format!("up {up}"),
        (Some(down), Lang::Da) => format!("ned {}", -down),
        (Some(down), Lang::En) => format!("down {}", -down),
    };
    (shown, spoken)
}

/// The comparison with an earlier measurement in the seed's words: the rank correlation, the
/// largest moves and who was at the bottom before too; `None` without a comparison.
pub fn comparison_paragraph(report: &JsonReport, lang: Lang) -> Option<String> {
    let comparison = report.comparison.as_ref()?;
    let mut sentences = vec![match lang {
        Lang::Da => format!(
            "Sammenlignet med den tidligere måling ({}) er {} af de {} rangordnede kommuner rangordnet begge gange{}.",
            comparison.source,
            comparison.common,
            report.ranking.len(),
            comparison.spearman.map_or_else(String::new, |r| format!("; rangkorrelationen er {}", lang.format_number(r, 2)))
        ),
        Lang::En => format!(
            "Compared with the earlier measurement ({}), {} of the {} ranked municipalities are ranked both times{}.",
            comparison.source,
            comparison.common,
            report.ranking.len(),
            comparison.spearman.map_or_else(String::new, |r| format!("; the rank correlation is {}", lang.format_number(r, 2)))
        ),
    }];
    let moved = |row: &JsonRanked| {
        let before = row.previous_rank.unwrap_or(0);
        match lang {
            Lang::Da => format!(
                "{} er rykket fra nr. {before} til nr. {}",
                row.municipality, row.rank
            ),
            Lang::En => format!(
                "{} has moved from no. {before} to no. {}",
                row.municipality, row.rank
            ),
        }
    };
    let mut by_change: Vec<&JsonRanked> = report
        .ranking
        .iter()
        .filter(|r| r.rank_change.is_some_and(|c| c != 0))
        .collect();
    by_change.sort_by_key(|r| std::cmp::Reverse(r.rank_change.unwrap_or(0)));
    let up: Vec<String> = by_change
        .iter()
        .take(2)
        .filter(|r| r.rank_change > Some(0))
        .map(|r| moved(r))
        .collect();
    let down: Vec<String> = by_change
        .iter()
        .rev()
        .take(2)
        .filter(|r| r.rank_change < Some(0))
        .map(|r| moved(r))
        .collect();
    let moves: Vec<String> = up.into_iter().chain(down).collect();
    if !moves.is_empty() {
        sentences.push(format!("{}.", moves.join("; ")));
    }
    // At the bottom (the slowest five) now and then.
    let n_now = report.ranking.len();
    let n_then = comparison.previous_ranked;
    let bottom_both: Vec<&str> = report
        .ranking
        .iter()
        .filter(|r| r.rank + 5 > n_now && r.previous_rank.is_some_and(|p| p + 5 > n_then))
        .map(|r| r.municipality.as_str())
        .collect();
    if let Some((last, first)) = bottom_both.split_last() {
        let names = if first.is_empty() {
            (*last).to_owned()
        } else {
            let and = if lang == Lang::Da { "og" } else { "and" };
            format!("{} {and} {last}", first.join(", "))
        };
        sentences.push(match (lang, first.is_empty()) {
            (Lang::Da, _) => format!("{names} lå også i bunden før."),
            (Lang::En, true) => format!("{names} was at the bottom before too."),
            (Lang::En, false) => format!("{names} were at the bottom before too."),
        });
    }
    Some(sentences.join(" "))
}

pub fn summary_paragraphs(result: &WebResult, lang: Lang, view: EffectView) -> Vec<String> {
    let report = &result.report;
    let ranking = &ranking_in_view(&report.ranking, view);
    let mut paragraphs = Vec::new();
    let completed = percent(lang, report.national.completed_share, 0);
    let success = success_words(&report.options.success, lang);
    paragraphs.push(match lang {
        Lang::Da => format!(
            "{completed} af de {} integrationsforløb er afsluttet med {success}.",
            lang.format_count(report.national.spells)
        ),
        Lang::En => format!(
            "{completed} of the {} integration spells ended in {success}.",
            lang.format_count(report.national.spells)
        ),
    });
    if ranking.len() >= 10 {
        let months = |v: f64| lang.format_number(v.abs(), 1);
        let names = |rows: &[&JsonRanked]| {
            let names: Vec<&str> = rows.iter().map(|r| r.municipality.as_str()).collect();
            let (last, first) = names.split_last().map_or(("", &[][..]), |(l, f)| (*l, f));
            let and = if lang == Lang::Da { "og" } else { "and" };
            format!("{} {and} {last}", first.join(", "))
        };
        let not_significant = |rows: &[&JsonRanked]| -> Vec<String> {
            rows.iter()
                .filter(|r| r.p_value.is_none_or(|p| p >= 0.05))
                .map(|r| r.municipality.clone())
                .collect()
        };
        let fastest: Vec<&JsonRanked> = ranking.iter().take(5).collect();
        let slowest: Vec<&JsonRanked> = ranking
            .iter()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let (fast_range, slow_range) = (
            (
                months(fastest[4].effect_months),
                months(fastest[0].effect_months),
            ),
            (
                months(slowest[0].effect_months),
                months(slowest[4].effect_months),
            ),
        );
        paragraphs.push(match lang {
            Lang::Da => format!(
                "{} er de fem kommuner, hvor udlændinge hurtigst bliver selvforsørgende eller kommer i uddannelse i forhold til det forventede: {} til {} måneder hurtigere, når der tages hensyn til deres og kommunens forudsætninger. I {} tager det længst tid: {} til {} måneder længere end forventet.",
                names(&fastest), fast_range.0, fast_range.1, names(&slowest), slow_range.0, slow_range.1
            ),
            Lang::En => format!(
                "{} are the five municipalities where newcomers become self-supporting or start education fastest relative to expectation: {} to {} months faster, given their own and the municipality's circumstances. In {} it takes longest: {} to {} months longer than expected.",
                names(&fastest), fast_range.0, fast_range.1, names(&slowest), slow_range.0, slow_range.1
            ),
        });
        // The seed warns against over-reading close places: say how far each place could move.
        let placed = |rows: &[&JsonRanked], fastest: bool| -> Option<String> {
            let first = rows.iter().find(|r| r.rank_interval.is_some())?;
            let [lo, hi] = first.rank_interval?;
            let others: Vec<String> = rows
                .iter()
                .filter(|r| r.municipality != first.municipality)
                .map(|r| format!("{} {}", r.municipality, rank_interval_text(r)))
                .collect();
            Some(match (lang, fastest) {
                (Lang::Da, true) => format!("{} er blandt de fem hurtigste; dens placering ligger mellem {lo} og {hi} med 95 % sandsynlighed (de øvrige: {}).", first.municipality, others.join(", ")),
                (Lang::Da, false) => format!("{} er blandt de fem langsomste; dens placering ligger mellem {lo} og {hi} med 95 % sandsynlighed (de øvrige: {}).", first.municipality, others.join(", ")),
                (Lang::En, true) => format!("{} is among the fastest five; its rank lies between {lo} and {hi} with 95 % probability (the others: {}).", first.municipality, others.join(", ")),
                (Lang::En, false) => format!("{} is among the slowest five; its rank lies between {lo} and {hi} with 95 % probability (the others: {}).", first.municipality, others.join(", ")),
            })
        };
        // The slowest five, slowest first.
        let slowest_first: Vec<&JsonRanked> = slowest.iter().rev().copied().collect();
        if view == EffectView::Fixed {
            paragraphs.extend(placed(&fastest, true));
            paragraphs.extend(placed(&slowest_first, false));
        }
        let uncertain: Vec<String> = not_significant(&fastest)
            .into_iter()
            .chain(not_significant(&slowest))
            .collect();
        if !uncertain.is_empty() {
            paragraphs.push(match lang {
                Lang::Da => format!("For {} er forskellen fra landsgennemsnittet dog ikke statistisk signifikant (p ≥ 0,05).", uncertain.join(", ")),
                Lang::En => format!("For {}, however, the difference from the national average is not statistically significant (p ≥ 0.05).", uncertain.join(", ")),
            });
        }
    }
    let first_year = report.cohorts.iter().find(|c| c.cumulative[0].is_some());
    let last_year = report
        .cohorts
        .iter()
        .rev()
        .find(|c| c.cumulative[0].is_some());
    if let (Some(first), Some(last)) = (first_year, last_year) {
        if first.permit_year != last.permit_year {
            let (a, b) = (
                first.cumulative[0].unwrap_or(0.0),
                last.cumulative[0].unwrap_or(0.0),
            );
            paragraphs.push(match lang {
                Lang::Da => format!(
                    "Af dem, der fik opholdstilladelse i {}, var {} selvforsørgende eller i uddannelse inden for det første år; af dem fra {} var det {}.",
                    first.permit_year, percent(lang, a, 0), last.permit_year, percent(lang, b, 0)
                ),
                Lang::En => format!(
                    "Of those granted a permit in {}, {} were self-supporting or in education within the first year; of those from {}, {}.",
                    first.permit_year, percent(lang, a, 0), last.permit_year, percent(lang, b, 0)
                ),
            });
        }
    }
    let significant = ranking
        .iter()
        .filter(|r| r.p_value.is_some_and(|p| p < 0.05))
        .count();
    paragraphs.push(match lang {
        Lang::Da => format!(
            "{significant} af de {} rangordnede kommuner afviger statistisk signifikant fra landsgennemsnittet (p < 0,05). For de øvrige kan forskellen skyldes tilfældigheder, og placeringer tæt på hinanden i rangordningen skal ikke overfortolkes.",
            ranking.len()
        ),
        Lang::En => format!(
            "{significant} of the {} ranked municipalities differ significantly from the national average (p < 0.05). For the others the difference may be chance, and neighbouring places in the ranking should not be over-interpreted.",
            ranking.len()
        ),
    });
    paragraphs.extend(comparison_paragraph(report, lang));
    paragraphs
}

/// A file template with every column of MODEL.md and two example rows.
pub const TEMPLATE_CSV: &str = "\
spell_id,person_id,municipality,permit_date,entry_date,end_date,outcome,sex,residence_basis,origin,age,partner,children,health_services,quota_refugee,danish_track,deprived_area,unemployment_rate,share_third_country,share_integration_law,share_skilled_jobs,jobs_per_capita
1,1,Århus,2001-03-15,,2003-06-01,self_support,K,refugee,Irak,31,foreign,2,4,0,2,1,6.2,4.1,1.2,38.5,0.61
2,2,Odense,2002-11-30,2003-05-01,2005-12-12,none,M,family_refugee,Somalia,27,none,0,12,0,1,0,7.8,5.0,0.9,33.0,0.55
";

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rank: usize, name: &str, effect: f64, spells: usize) -> JsonRanked {
        JsonRanked {
            rank,
            municipality: name.to_owned(),
            observed_months: 30.0 + effect,
            expected_months: 30.0,
            effect_months: effect,
            p_value: Some(0.5),
            stars: String::new(),
            spells,
            completed_share: 0.4,
            effect_se_months: Some(1.0),
            ..JsonRanked::default()
        }
    }

    #[test]
    fn search_and_sort() {
        let ranking = [
            row(1, "Århus", -2.0, 300),
            row(2, "Odense", 0.5, 100),
            row(3, "Aalborg", 1.0, 200),
        ];
        assert_eq!(visible_rows(&ranking, "", SortKey::Rank, true), [0, 1, 2]);
        assert_eq!(
            visible_rows(&ranking, "", SortKey::Spells, false),
            [0, 2, 1]
        );
        assert_eq!(
            visible_rows(&ranking, "", SortKey::Municipality, true),
            [2, 1, 0]
        );
        assert_eq!(visible_rows(&ranking, " åR", SortKey::Rank, true), [0]);
        assert_eq!(
            visible_rows(&ranking, "x", SortKey::Rank, true),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn top_and_bottom_five() {
        assert_eq!(mark(1, 72), Some(Mark::Fastest));
        assert_eq!(mark(5, 72), Some(Mark::Fastest));
        assert_eq!(mark(6, 72), None);
        assert_eq!(mark(67, 72), None);
        assert_eq!(mark(68, 72), Some(Mark::Slowest));
        assert_eq!(mark(3, 8), None);
    }

    #[test]
    fn percentages_follow_the_language() {
        assert_eq!(percent(Lang::Da, 0.3176, 1), "31,8 %");
        assert_eq!(percent(Lang::En, 0.3176, 0), "32 %");
    }

    #[test]
    fn pages_hold_a_hundred_rows_and_the_last_the_rest() {
        assert_eq!(page_rows(0, 0), 0..0);
        assert_eq!(page_rows(72, 0), 0..72);
        assert_eq!(page_rows(250, 1), 100..200);
        assert_eq!(page_rows(250, 2), 200..250);
        assert_eq!(page_rows(250, 9), 200..250);
        assert_eq!(page_rows(200, 2), 100..200);
    }

    /// The demo's results, as the worker sends them.
    fn demo_result() -> Box<WebResult> {
        let mut responses = Vec::new();
        let request = crate::state::build_request(
            crate::worker::protocol::Action::AnalyseDemo,
            "demo.csv".to_owned(),
            &[],
            &[],
            None,
            crate::state::ModelChoices::default(),
        );
        crate::worker::work::perform::<std::io::Cursor<Vec<u8>>>(
            &mut crate::worker::work::WorkerState::default(),
            &request,
            None,
            None,
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        let Some(crate::worker::protocol::Response::Results(result)) = responses.pop() else {
            panic!("results")
        };
        result
    }

    /// Known moves against the demo's own ranking: the last comes from no. 1 (▼ 71), the
    /// first from no. 72 (▲ 71); the slowest five but those two keep their ranks.
    #[test]
    fn the_comparison_is_told_in_the_seeds_words() {
        let mut result = demo_result();
        let n = result.report.ranking.len();
        let mut earlier: Vec<(String, usize)> = result
            .report
            .ranking
            .iter()
            .map(|r| (r.municipality.clone(), r.rank))
            .collect();
        earlier[0].1 = n;
        earlier[n - 1].1 = 1;
        let (first, last) = (earlier[0].0.clone(), earlier[n - 1].0.clone());
        result
            .report
            .compare_with(&kommunebench_engine::measure::compare::PreviousRanking {
                source: "marts-2005.csv".to_owned(),
                ranks: earlier,
            });
        let danish = comparison_paragraph(&result.report, Lang::Da).expect("compared");
        assert!(
            danish.starts_with(
                "Sammenlignet med den tidligere måling (marts-2005.csv) er 72 af de 72"
            ),
            "{danish}"
        );
        assert!(
            danish.contains(&format!("{first} er rykket fra nr. 72 til nr. 1")),
            "{danish}"
        );
        assert!(
            danish.contains(&format!("{last} er rykket fra nr. 1 til nr. 72")),
            "{danish}"
        );
        // The four slowest but the last were at the bottom before too.
        let bottom: Vec<&str> = result.report.ranking[n - 5..n - 1]
            .iter()
            .map(|r| r.municipality.as_str())
            .collect();
        assert!(
            danish.ends_with(&format!(
                "{} og {} lå også i bunden før.",
                bottom[..3].join(", "),
                bottom[3]
            )),
            "{danish}"
        );
        assert_eq!(
            rank_change_text(&result.report.ranking[0], Lang::Da),
            ("▲ 71".to_owned(), "op 71".to_owned())
        );
        assert_eq!(
            rank_change_text(&result.report.ranking[n - 1], Lang::En),
            ("▼ 71".to_owned(), "down 71".to_owned())
        );
        assert_eq!(rank_change_text(&result.report.ranking[1], Lang::En).0, "=");
        let english = options_text(&result.report, Lang::En);
        assert!(
            english.contains("compared with marts-2005.csv"),
            "{english}"
        );
        assert!(
            english.contains("What counts as success: self-support or education"),
            "{english}"
        );
        // The summary ends with it.
        let summary = summary_paragraphs(&result, Lang::En, EffectView::Fixed);
        assert!(summary
            .last()
            .is_some_and(|p| p.starts_with("Compared with the earlier measurement")));
    }

    #[test]
    fn the_summary_names_the_five_and_does_not_overclaim() {
        let result = demo_result();
        let danish = summary_paragraphs(&result, Lang::Da, EffectView::Fixed);
        assert!(
            danish[0].starts_with("35 % af de 23.563 integrationsforløb"),
            "{}",
            danish[0]
        );
        let first = &result.report.ranking[0].municipality;
        assert!(danish[1].starts_with(first.as_str()), "{}", danish[1]);
        assert!(danish
            .last()
            .is_some_and(|p| p.contains("ikke overfortolkes")));
        let english = summary_paragraphs(&result, Lang::En, EffectView::Fixed);
        assert!(
            english[1].contains("are the five municipalities"),
            "{}",
            english[1]
        );
        // The rank interval of the fastest municipality is named with it.
        let top = &result.report.ranking[0];
        let [lo, hi] = top.rank_interval.expect("the demo draws rank intervals");
        let sentence = format!(
            "{} is among the fastest five; its rank lies between {lo} and {hi} with 95 % probability",
            top.municipality
        );
        assert!(
            english.iter().any(|p| p.starts_with(&sentence)),
            "{english:?}"
        );
        let last = result.report.ranking.last().expect("ranked");
        assert!(
            english
                .iter()
                .any(|p| p.starts_with(&format!("{} is among the slowest five", last.municipality))),
            "{english:?}"
        );
        // The shrunken view ranks by the shrunken effects.
        let shrunken = ranking_in_view(&result.report.ranking, EffectView::Shrunken);
        assert!(shrunken
            .windows(2)
            .all(|w| w[0].effect_months <= w[1].effect_months && w[0].rank + 1 == w[1].rank));
        assert_eq!(
            shrunken[0].municipality,
            result
                .report
                .ranking
                .iter()
                .find(|r| r.shrunken_rank == Some(1))
                .expect("rank 1")
                .municipality
        );
        let shrunken_text = summary_paragraphs(&result, Lang::En, EffectView::Shrunken);
        assert!(
            shrunken_text[1].starts_with(&shrunken[0].municipality),
            "{}",
            shrunken_text[1]
        );
        // Every municipality among the ten called uncertain really has p ≥ 0.05.
        for paragraph in english
            .iter()
            .filter(|p| p.contains("not statistically significant"))
        {
            for row in &result.report.ranking {
                if paragraph.contains(&format!("{},", row.municipality)) {
                    assert!(
                        row.p_value.is_none_or(|p| p >= 0.05),
                        "{}",
                        row.municipality
                    );
                }
            }
        }
    }

    #[test]
    fn the_template_is_a_valid_spell_file() {
        let read = kommunebench_engine::read_spells_from_bytes(
            TEMPLATE_CSV.as_bytes(),
            &Default::default(),
        );
        let Ok(read) = read else {
            panic!("the template reads")
        };
        assert_eq!(read.cohort.n_spells(), 2);
        assert_eq!(read.excluded_rows, vec![]);
        assert_eq!(read.ignored_columns, Vec::<String>::new());
    }
}
