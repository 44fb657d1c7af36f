//! Danish and English: the user-facing texts and number formats.
//!
//! Every text is a field of [`Texts`], so a translation that is missing is a compile error,
//! not a blank on screen.

/// The language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Danish, the default: the users are Danish municipal officers.
    #[default]
    Da,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and for storing the choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Reads a stored tag; anything unknown gives `None` (the caller falls back to Danish).
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        }
    }

    /// The engine's language, for its messages and number formats.
    pub fn engine(self) -> kommunebench_engine::Language {
        match self {
            Lang::Da => kommunebench_engine::Language::Danish,
            Lang::En => kommunebench_engine::Language::English,
        }
    }

    /// A count with the language's thousands separator: 23.563 in Danish, 23,563 in English.
    pub fn format_count(self, count: usize) -> String {
        let digits = count.to_string();
        let separator = match self {
            Lang::Da => '.',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A date in words: "26. november 2026", "26 November 2026" (`month` 1–12). Written
    /// here, not by the browser's `toLocaleDateString`, whose first call loads the locale's
    /// data: 13 ms of the results' first render (a Chromium CPU profile).
    pub fn format_date(self, year: i32, month: u32, day: u32) -> String {
        const DANISH: [&str; 12] = [
            "januar",
            "februar",
            "marts",
            "april",
            "maj",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "december",
        ];
        const ENGLISH: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let index = (month.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Da => format!("{day}. {} {year}", DANISH[index]),
            Lang::En => format!("{day} {} {year}", ENGLISH[index]),
        }
    }

    /// `value` with `decimals` digits: decimal comma in Danish, point in English (the
    /// engine's format, shared with the CLI).
    pub fn format_number(self, value: f64, decimals: usize) -> String {
        self.engine().format_number(value, decimals)
    }
}

/// Every text on the page, in one language.
#[derive(Debug, serde::Serialize)]
pub struct Texts {
    pub app_tagline: &'static str,
    pub language_label: &'static str,
    pub intro: &'static str,
    pub privacy: &'static str,
    pub upload_heading: &'static str,
    pub upload_hint: &'static str,
    pub upload_button: &'static str,
    pub demo_button: &'static str,
    pub demo_hint: &'static str,
    pub template_link: &'static str,
    pub columns_heading: &'static str,
    pub columns_intro: &'static str,
    pub column_name: &'static str,
    pub column_role: &'static str,
    pub role_individual_numeric: &'static str,
    pub role_individual_categorical: &'static str,
    pub role_municipal_numeric: &'static str,
    pub role_municipal_categorical: &'static str,
    pub role_ignore: &'static str,
    pub role_spell: &'static str,
    pub role_identifier: &'static str,
    pub options_heading: &'static str,
    pub horizon_label: &'static str,
    pub piece_label: &'static str,
    pub min_spells_label: &'static str,
    pub columns_help_summary: &'static str,
    pub columns_help: &'static [&'static str],
    pub options_help: &'static str,
    pub success_legend: &'static str,
    pub success_both: &'static str,
    pub success_self_support: &'static str,
    pub success_education: &'static str,
    pub permit_years_legend: &'static str,
    pub permit_from_label: &'static str,
    pub permit_to_label: &'static str,
    pub map_legend: &'static str,
    pub map_help: &'static str,
    pub map_button: &'static str,
    pub map_chosen: &'static str,
    pub map_remove: &'static str,
    pub analyse_button: &'static str,
    pub start_over: &'static str,
    pub method_link: &'static str,
    pub export_failed: &'static str,
    pub pager_label: &'static str,
    pub pager_previous: &'static str,
    pub pager_next: &'static str,
    pub profile_loading: &'static str,
    pub compare_heading: &'static str,
    pub permit_years_label_short: &'static str,
    pub map_label_short: &'static str,
    pub compare_label_short: &'static str,
    pub compare_help: &'static str,
    pub compare_button: &'static str,
    pub th_rank_change: &'static str,
    pub rank_change_new: &'static str,
    pub drop_ready: &'static str,
    pub kept_file: &'static str,
    pub use_kept_file: &'static str,
    pub progress_heading: &'static str,
    pub back_button: &'static str,
    pub print_button: &'static str,
    pub progress_reading: &'static str,
    pub progress_fitting: &'static str,
    pub progress_inspecting: &'static str,
    pub cancel_button: &'static str,
    pub error_heading: &'static str,
    pub results_heading: &'static str,
    pub summary_source: &'static str,
    pub summary_spells: &'static str,
    pub summary_ranked: &'static str,
    pub summary_completed: &'static str,
    pub summary_r_squared: &'static str,
    pub summary_horizon: &'static str,
    pub months_unit: &'static str,
    pub sheet_label: &'static str,
    pub download_plot: &'static str,
    pub mix_mean: &'static str,
    pub mix_national: &'static str,
    pub mix_here: &'static str,
    pub mix_level: &'static str,
    pub mix_covariate: &'static str,
    pub profile_mix: &'static str,
    pub profile_expected: &'static str,
    pub profile_observed: &'static str,
    pub profile_choose: &'static str,
    pub profile_heading: &'static str,
    pub print_method: &'static str,
    pub print_options: &'static str,
    pub print_report: &'static str,
    pub summary_heading: &'static str,
    pub export_xlsx: &'static str,
    pub export_csv: &'static str,
    pub no_highlight: &'static str,
    pub highlight_label: &'static str,
    pub funnel_caption: &'static str,
    pub caterpillar_caption: &'static str,
    pub caterpillar_title: &'static str,
    pub caterpillar_file: &'static str,
    pub ranking_file: &'static str,
    pub excluded_file: &'static str,
    pub template_file: &'static str,
    pub funnel_title: &'static str,
    pub funnel_file: &'static str,
    pub cohort_title: &'static str,
    pub cohort_file: &'static str,
    pub uncertainty_heading: &'static str,
    pub caterpillar_x_label: &'static str,
    pub ranking_heading: &'static str,
    pub ranking_intro: &'static str,
    pub search_label: &'static str,
    pub th_rank: &'static str,
    pub th_municipality: &'static str,
    pub th_observed: &'static str,
    pub th_expected: &'static str,
    pub th_effect: &'static str,
    pub th_stars: &'static str,
    pub th_spells: &'static str,
    pub th_completed: &'static str,
    pub national_row: &'static str,
    pub mark_fastest: &'static str,
    pub mark_slowest: &'static str,
    pub stars_legend: &'static str,
    pub no_matches: &'static str,
    pub unranked_heading: &'static str,
    pub reason_too_few: &'static str,
    pub reason_no_event: &'static str,
    pub outcomes_heading: &'static str,
    pub outcome_group: &'static str,
    pub outcome_self_support: &'static str,
    pub outcome_education: &'static str,
    pub outcome_none: &'static str,
    pub outcome_all: &'static str,
    pub sex_men: &'static str,
    pub sex_women: &'static str,
    pub cohorts_heading: &'static str,
    pub cohorts_intro: &'static str,
    pub permit_year: &'static str,
    pub year_word: &'static str,
    pub plot_x_label: &'static str,
    pub plot_y_label: &'static str,
    pub plot_caption: &'static str,
    pub excluded_heading: &'static str,
    pub excluded_none: &'static str,
    pub excluded_download: &'static str,
    pub th_line: &'static str,
    pub th_reason: &'static str,
    pub model_heading: &'static str,
    pub th_term: &'static str,
    pub th_estimate: &'static str,
    pub th_se: &'static str,
    pub convergence_label: &'static str,
    pub log_likelihood_label: &'static str,
    pub th_rank_interval: &'static str,
    pub rank_interval_legend: &'static str,
    pub view_label: &'static str,
    pub view_fixed: &'static str,
    pub view_shrunken: &'static str,
    pub view_fixed_help: &'static str,
    pub view_shrunken_help: &'static str,
    pub th_shrunken_effect: &'static str,
    pub no_shrinkage_note: &'static str,
    pub summary_explained: &'static str,
    pub summary_explained_help: &'static str,
    pub summary_r_squared_help: &'static str,
    pub funnel_overdispersion_label: &'static str,
    pub funnel_overdispersion_help: &'static str,
    pub q_value_label: &'static str,
    pub q_value_help: &'static str,
    pub q_significant_label: &'static str,
    pub tau_squared_label: &'static str,
    pub stage_two_heading: &'static str,
    pub phases_heading: &'static str,
    pub th_phase: &'static str,
    pub th_seconds: &'static str,
    pub th_share: &'static str,
    pub phases_total: &'static str,
    pub worker_memory_label: &'static str,
    pub warnings_heading: &'static str,
    pub model_error_heading: &'static str,
    pub pooled_label: &'static str,
    pub dropped_label: &'static str,
    pub without_events_label: &'static str,
}

mod danish;
mod english;
mod messages;
mod method;

use danish::DA;
use english::EN;

pub use messages::{describe_format, error_text};
pub use method::MethodSection;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::protocol::WorkerError;
    use kommunebench_engine::read::{SourceFormat, TextEncoding};
    use kommunebench_engine::Role;

    #[test]
    fn dates_are_written_in_the_language() {
        assert_eq!(Lang::Da.format_date(2026, 11, 26), "26. november 2026");
        assert_eq!(Lang::En.format_date(2026, 11, 26), "26 November 2026");
        assert_eq!(Lang::Da.format_date(2027, 1, 3), "3. januar 2027");
        assert_eq!(Lang::En.format_date(2027, 5, 31), "31 May 2027");
    }

    #[test]
    fn numbers_use_the_language_decimal_separator() {
        assert_eq!(Lang::Da.format_number(-7.2058, 3), "\u{2212}7,206");
        assert_eq!(Lang::En.format_number(-7.2058, 3), "\u{2212}7.206");
        assert_eq!(Lang::Da.format_number(37.891, 1), "37,9");
        assert_eq!(Lang::En.format_number(-0.0004, 3), "0.000");
        assert_eq!(Lang::En.format_number(f64::NAN, 3), "–");
    }

    #[test]
    fn the_method_page_has_every_section_in_both_languages() {
        let (da, en) = (Lang::Da.method_sections(), Lang::En.method_sections());
        assert_eq!(da.len(), en.len());
        for (da, en) in da.iter().zip(en) {
            assert!(!da.heading.is_empty() && da.heading != en.heading);
            assert_eq!(da.paragraphs.len(), en.paragraphs.len(), "{}", da.heading);
            for (da, en) in da.paragraphs.iter().zip(en.paragraphs) {
                assert!(da.len() > 40 && da != en, "{da}");
            }
        }
    }

    #[test]
    fn counts_group_thousands_as_the_language_writes_them() {
        assert_eq!(Lang::Da.format_count(23_563), "23.563");
        assert_eq!(Lang::En.format_count(23_563), "23,563");
        assert_eq!(Lang::En.format_count(1_000_000), "1,000,000");
        assert_eq!(Lang::Da.format_count(999), "999");
        assert_eq!(Lang::Da.format_count(0), "0");
    }

    #[test]
    fn language_codes_round_trip() {
        for lang in [Lang::Da, Lang::En] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("de"), None);
    }

    #[test]
    fn the_two_languages_differ_where_they_should() {
        let (da, en) = (Lang::Da.texts(), Lang::En.texts());
        for (da, en) in [
            (da.privacy, en.privacy),
            (da.demo_button, en.demo_button),
            (da.th_municipality, en.th_municipality),
            (da.national_row, en.national_row),
            (da.stars_legend, en.stars_legend),
        ] {
            assert!(!da.is_empty() && da != en, "{da} / {en}");
        }
    }

    #[test]
    fn role_labels_cover_every_role() {
        for role in Role::ALL {
            for lang in [Lang::Da, Lang::En] {
                assert!(!lang.role_label(role).is_empty());
            }
            assert_ne!(Lang::Da.role_label(role), Lang::En.role_label(role));
        }
        assert_eq!(
            Lang::En.role_label(Role::MunicipalNumeric),
            "Municipal, numeric"
        );
    }

    /// Texts that are the same in Danish and English: "Sign." and "Log-likelihood" are the
    /// terms Danish statistics uses too, and "top 5" is said so in Danish as well.
    const SAME_IN_BOTH: [&str; 3] = ["th_stars", "mark_fastest", "log_likelihood_label"];

    /// Every text exists in both languages, is not blank, and is translated: a Danish text
    /// left in English (or a copy) fails here, naming the field.
    #[test]
    fn every_text_is_present_and_translated() {
        let as_map = |texts: &Texts| -> serde_json::Map<String, serde_json::Value> {
            match serde_json::to_value(texts).expect("texts serialise") {
                serde_json::Value::Object(map) => map,
                other => panic!("texts are an object, not {other}"),
            }
        };
        let (da, en) = (as_map(Lang::Da.texts()), as_map(Lang::En.texts()));
        assert_eq!(da.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
        assert!(da.len() > 50, "only {} texts", da.len());
        // A list of texts (a help list) is checked as its lines joined.
        let text = |value: &serde_json::Value| -> String {
            match value {
                serde_json::Value::Array(lines) => lines
                    .iter()
                    .map(|l| l.as_str().expect("a line of text"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => other.as_str().expect("text").to_owned(),
            }
        };
        for (field, danish) in &da {
            let (danish, english) = (text(danish), text(&en[field]));
            let (danish, english) = (danish.as_str(), english.as_str());
            assert!(!danish.trim().is_empty(), "Danish `{field}` is blank");
            assert!(!english.trim().is_empty(), "English `{field}` is blank");
            if !SAME_IN_BOTH.contains(&field.as_str()) {
                assert_ne!(danish, english, "`{field}` is not translated");
            }
        }
    }

    /// Every "*** p < 0,05"-style threshold in the page's texts and on the method page, in
    /// both languages, is the engine's own (`stars`, MODEL.md §4): the method page once
    /// stated the stars of p < 0.05 / 0.01 / 0.001, which the engine does not give.
    #[test]
    fn star_thresholds_in_the_texts_are_the_engines() {
        use kommunebench_engine::model::rmst::stars;
        let mut texts: Vec<String> = Vec::new();
        for lang in [Lang::Da, Lang::En] {
            collect_strings(
                &serde_json::to_value(lang.texts()).expect("texts serialise"),
                &mut texts,
            );
            for section in lang.method_sections() {
                texts.extend(section.paragraphs.iter().map(|p| (*p).to_owned()));
            }
        }
        let mut found = 0;
        for text in &texts {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(" p < ") {
                let marks = rest[..at].chars().rev().take_while(|&c| c == '*').count();
                let number: String = rest[at + 5..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                    .collect();
                rest = &rest[at + 5..];
                if marks == 0 {
                    continue;
                }
                let threshold: f64 = number
                    .trim_end_matches(['.', ','])
                    .replace(',', ".")
                    .parse()
                    .unwrap_or_else(|_| panic!("a threshold in {text:?}"));
                let shown = "*".repeat(marks);
                assert_eq!(stars(Some(threshold * 0.999)), shown, "{text}");
                assert_ne!(stars(Some(threshold)), shown, "{text}");
                found += 1;
            }
        }
        assert!(found >= 12, "only {found} stated thresholds");
    }

    fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) => out.push(text.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_error_is_worded_in_both_languages() {
        let errors = [
            WorkerError::NoFile,
            WorkerError::BadRequest("x".to_owned()),
            WorkerError::BadAnswer("x".to_owned()),
            WorkerError::Unreachable,
            WorkerError::Unsealed("fetch".to_owned()),
            WorkerError::Crashed("RuntimeError: unreachable".to_owned()),
            WorkerError::FileTooLarge {
                bytes: 9e8,
                limit_bytes: 5e8,
            },
            WorkerError::Read(kommunebench_engine::ReadError::Empty),
            WorkerError::Model(
                kommunebench_engine::model::ModelError::NoEventsWithinHorizon {
                    horizon_months: 48.0,
                },
            ),
        ];
        for error in &errors {
            let (da, en) = (error_text(Lang::Da, error), error_text(Lang::En, error));
            assert!(!da.is_empty() && !en.is_empty() && da != en, "{error:?}");
        }
        let tab = SourceFormat::Csv {
            encoding: TextEncoding::Windows1252,
            delimiter: '\t',
        };
        assert_eq!(
            describe_format(Lang::Da, &tab),
            "CSV, Windows-1252, tabulator"
        );
        assert_eq!(describe_format(Lang::En, &tab), "CSV, Windows-1252, tab");
    }
}
