//! The results page: summary cards, the generated summary and every panel below it.

use std::sync::Arc;

use leptos::prelude::*;

use super::*;
use crate::i18n::describe_format;
use crate::i18n::Lang;
use crate::view::{options_text, percent, summary_paragraphs, EffectView};
use crate::worker::protocol::WebResult;
use kommunebench_engine::model::profile::MunicipalityProfile;

#[component]
pub(crate) fn ResultsView(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    /// The drill-downs the worker has sent so far, and how to ask for one.
    profiles: RwSignal<Vec<MunicipalityProfile>>,
    request_profile: Callback<String>,
    /// Asks the worker for the ranking as xlsx (it answers with the download).
    request_xlsx: Callback<()>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let report = &result.report;
    let n_ranked = report.ranking.len();
    let summary = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            let t = lang.texts();
            let report = &result.report;
            let r_squared = report
                .model
                .as_ref()
                .and_then(|m| m.r_squared_municipal)
                .map_or_else(|| "–".to_owned(), |r| lang.format_number(r, 2));
            let explained = report
                .model
                .as_ref()
                .and_then(|m| m.explained_share)
                .map_or_else(|| "–".to_owned(), |share| percent(lang, share, 0));
            view! {
                <dl class="summary">
                    <div><dt>{t.summary_source}</dt><dd>{format!("{} ({})", result.source_name, describe_format(lang, &result.format))}</dd></div>
                    <div><dt>{t.summary_spells}</dt><dd>{lang.format_count(report.national.spells)}</dd></div>
                    <div><dt>{t.summary_ranked}</dt><dd>{lang.format_count(report.ranking.len())}</dd></div>
                    <div><dt>{t.summary_completed}</dt><dd>{percent(lang, report.national.completed_share, 1)}</dd></div>
                    <div class="explained"><dt>{t.summary_explained}</dt><dd>{explained}</dd><dd class="card-help">{t.summary_explained_help}</dd></div>
                    <div><dt>{t.summary_r_squared}</dt><dd>{r_squared}</dd><dd class="card-help">{t.summary_r_squared_help}</dd></div>
                    <div><dt>{t.summary_horizon}</dt><dd>{format!("{} {}", lang.format_number(report.options.horizon_months, 0), t.months_unit)}</dd></div>
                </dl>
            }
        }
    };
    // The municipality in focus (drill-down), chosen in the table or from a list.
    let focus = RwSignal::new(String::new());
    // The seed's fixed effects or the empirical-Bayes view (ranking, caterpillar, summary).
    let effect_view = RwSignal::new(EffectView::Fixed);
    let switch = move || {
        let t = lang.get().texts();
        let option = move |value: EffectView, id: &'static str, label: &'static str| {
            view! {
                <label for=id class="choice">
                    <input
                        type="radio"
                        id=id
                        name="effect-view"
                        prop:checked=move || effect_view.get() == value
                        on:change=move |_| effect_view.set(value)
                    />
                    " "
                    {label}
                </label>
            }
        };
        view! {
            <fieldset class="effect-view">
                <legend>{t.view_label}</legend>
                {option(EffectView::Fixed, "view-fixed", t.view_fixed)}
                {option(EffectView::Shrunken, "view-shrunken", t.view_shrunken)}
                <p class="hint">
                    {move || if effect_view.get() == EffectView::Fixed { t.view_fixed_help } else { t.view_shrunken_help }}
                </p>
            </fieldset>
        }
    };
    // Shown only when printed: the report's date, options and a method note.
    let print_header = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            let t = lang.texts();
            let today = js_sys::Date::new_0();
            let date = lang.format_date(
                today.get_full_year() as i32,
                today.get_month() + 1,
                today.get_date(),
            );
            let options = options_text(&result.report, lang);
            view! {
                <p class="print-only">{format!("{} {}.", t.print_report, date)}</p>
                <p class="options-used">{options}</p>
                <p class="print-only">{t.print_method}</p>
            }
        }
    };
    // Shown above the results: the analysis went on, but an officer should look.
    let warnings = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            (!result.warnings.is_empty()).then(|| {
                let items = result
                    .warnings
                    .iter()
                    .map(|w| view! { <li data-code=w.code.code()>{w.message(lang.engine())}</li> })
                    .collect_view();
                view! {
                    <section class="warnings" role="note" aria-labelledby="warnings-heading">
                        <h3 id="warnings-heading">{lang.texts().warnings_heading}</h3>
                        <ul>{items}</ul>
                    </section>
                }
            })
        }
    };
    let model_error = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            result.model_error.as_ref().map(|error| {
                view! {
                    <section class="failure" role="alert" id="model-error">
                        <h3>{lang.texts().model_error_heading}</h3>
                        <p>{error.message(lang.engine())}</p>
                    </section>
                }
            })
        }
    };
    view! {
        <section class="results" aria-labelledby="results-heading" data-n-ranked=n_ranked.to_string()>
            <h2 id="results-heading" tabindex="-1">{move || texts().results_heading}</h2>
            {print_header}
            {summary}
            {warnings}
            {model_error}
            {switch}
            <SummaryText lang=lang result=result.clone() effect_view=effect_view />
            <RankingTable
                lang=lang
                result=result.clone()
                focus=focus
                effect_view=effect_view
                request_xlsx=request_xlsx
            />
            <ProfileView
                lang=lang
                result=result.clone()
                focus=focus
                profiles=profiles
                request_profile=request_profile
            />
            <UncertaintyPlots lang=lang result=result.clone() effect_view=effect_view />
            <UnrankedList lang=lang result=result.clone() />
            <OutcomesTable lang=lang result=result.clone() />
            <CohortsView lang=lang result=result.clone() />
            <ExcludedRows lang=lang result=result.clone() />
            <ModelDetails lang=lang result=result.clone() />
        </section>
    }
}

#[component]
pub(crate) fn SummaryText(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    effect_view: RwSignal<EffectView>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let paragraphs = move || {
        summary_paragraphs(&result, lang.get(), effect_view.get())
            .into_iter()
            .map(|p| view! { <p>{p}</p> })
            .collect_view()
    };
    view! {
        <section class="summary-text" aria-labelledby="summary-heading">
            <h3 id="summary-heading">{move || texts().summary_heading}</h3>
            {paragraphs}
        </section>
    }
}
