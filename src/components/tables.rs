//! The unranked municipalities, the outcome shares (tables 1–2) and the cohort curves (table 3).

use std::sync::Arc;

use leptos::prelude::*;

use super::*;
use crate::i18n::Lang;
use crate::plots::cohort_curves_svg;
use crate::view::percent;
use crate::view::LONG_LIST_SHOWN;
use crate::worker::protocol::WebResult;

#[component]
pub(crate) fn UnrankedList(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let n = result.report.unranked.len();
    let items = move || {
        let lang = lang.get();
        let t = lang.texts();
        result
            .report
            .unranked
            .iter()
            .take(LONG_LIST_SHOWN)
            .map(|u| {
                let reason = if u.reason == "too_few_spells" { t.reason_too_few } else { t.reason_no_event };
                view! {
                    <li>
                        {format!("{}: {} {}, {}, {}", u.municipality, u.spells, t.th_spells.to_lowercase(), percent(lang, u.completed_share, 0), reason)}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <details class="unranked">
            <summary>{move || format!("{} ({n})", texts().unranked_heading)}</summary>
            {(n > LONG_LIST_SHOWN).then(|| view! { <p class="hint">{move || lang.get().shown_of(LONG_LIST_SHOWN, n)}</p> })}
            <ul>{items}</ul>
        </details>
    }
}

#[component]
pub(crate) fn OutcomesTable(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let rows = move || {
        let lang = lang.get();
        let t = lang.texts();
        let outcomes = &result.report.outcomes;
        std::iter::once((t.outcome_all.to_owned(), outcomes.all))
            .chain(outcomes.by_sex.iter().map(|(level, shares)| {
                let label = match level.as_str() {
                    "M" => t.sex_men.to_owned(),
                    "K" => t.sex_women.to_owned(),
                    other => other.to_owned(),
                };
                (label, *shares)
            }))
            .map(|(label, shares)| {
                view! {
                    <tr>
                        <th scope="row">{label}</th>
                        <td class="numeric">{percent(lang, shares.self_support, 1)}</td>
                        <td class="numeric">{percent(lang, shares.education, 1)}</td>
                        <td class="numeric">{percent(lang, shares.none, 1)}</td>
                        <td class="numeric">{lang.format_count(shares.spells)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="outcomes" aria-labelledby="outcomes-heading">
            <h3 id="outcomes-heading">{move || texts().outcomes_heading}</h3>
            <div class="table-wide" tabindex="0">
                <table class="data" id="outcomes-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || texts().outcome_group}</th>
                            <th scope="col" class="numeric">{move || texts().outcome_self_support}</th>
                            <th scope="col" class="numeric">{move || texts().outcome_education}</th>
                            <th scope="col" class="numeric">{move || texts().outcome_none}</th>
                            <th scope="col" class="numeric">{move || texts().th_spells}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub(crate) fn CohortsView(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let rows = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            result
                .report
                .cohorts
                .iter()
                .map(|cohort| {
                    let cells = cohort
                        .cumulative
                        .iter()
                        .map(|f| {
                            let text = f.map(|f| percent(lang, f, 0)).unwrap_or_default();
                            view! { <td class="numeric">{text}</td> }
                        })
                        .collect_view();
                    view! {
                        <tr>
                            <th scope="row">{cohort.permit_year.to_string()}</th>
                            {cells}
                        </tr>
                    }
                })
                .collect_view()
        }
    };
    let year_headers = move || {
        let t = texts();
        (1..=6).map(|year| view! { <th scope="col" class="numeric">{format!("{year} {}", t.year_word)}</th> }).collect_view()
    };
    let svg = Signal::derive(move || cohort_curves_svg(&result.curves, lang.get()));
    view! {
        <section class="cohorts" aria-labelledby="cohorts-heading">
            <h3 id="cohorts-heading">{move || texts().cohorts_heading}</h3>
            <p>{move || texts().cohorts_intro}</p>
            <div class="table-wide" tabindex="0">
                <table class="data" id="cohorts-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || texts().permit_year}</th>
                            {year_headers}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <PlotFigure
                lang=lang
                id="cohort-plot"
                name=|l| l.texts().cohort_file
                title=|l| l.texts().cohort_title
                caption=|l| l.texts().plot_caption
                svg=svg
            />
        </section>
    }
}
