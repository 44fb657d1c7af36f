//! The model's details: coefficients, pooled levels, dropped covariates, stage 2.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::view::percent;
use crate::worker::protocol::WebResult;
use kommunebench_engine::progress::{Phase, PhaseTimes};

/// A table of (term, estimate, SE) rows: β of stage 1, γ̂ of stage 2 ("–" without an SE).
fn coefficient_table<'a>(
    lang: Lang,
    id: Option<&'static str>,
    rows: impl Iterator<Item = (&'a str, f64, Option<f64>)>,
) -> impl IntoView {
    let t = lang.texts();
    let body = rows
        .map(|(term, estimate, se)| {
            view! {
                <tr>
                    <th scope="row">{term.to_owned()}</th>
                    <td class="numeric">{lang.format_number(estimate, 4)}</td>
                    <td class="numeric">{se.map_or_else(|| "–".to_owned(), |se| lang.format_number(se, 4))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wide" tabindex="0">
            <table class="data" id=id>
                <thead>
                    <tr>
                        <th scope="col">{t.th_term}</th>
                        <th scope="col" class="numeric">{t.th_estimate}</th>
                        <th scope="col" class="numeric">{t.th_se}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// The seconds the page took to show the last results ([`Phase::Render`]), once it knows
/// them: measured after the render, so kept beside the results, not in them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RenderSeconds(pub(crate) RwSignal<Option<f64>>);

/// Where the time went: each step of the analysis in seconds, and its share; the page's
/// render last, once measured.
fn phase_table(lang: Lang, phases: &PhaseTimes, render: Option<f64>) -> impl IntoView {
    let t = lang.texts();
    let mut phases = phases.clone();
    if let Some(seconds) = render {
        phases.seconds.push((Phase::Render, seconds));
    }
    let total = phases.total();
    let body = phases
        .seconds
        .iter()
        .map(|&(phase, seconds)| {
            let share = if total > 0.0 { seconds / total } else { 0.0 };
            view! {
                <tr data-phase=format!("{phase:?}")>
                    <th scope="row">{lang.phase_label(phase)}</th>
                    <td class="numeric">{lang.format_number(seconds, 3)}</td>
                    <td class="numeric">{percent(lang, share, 0)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h4>{t.phases_heading}</h4>
        <div class="table-wide" tabindex="0">
            <table class="data" id="phase-table">
                <thead>
                    <tr>
                        <th scope="col">{t.th_phase}</th>
                        <th scope="col" class="numeric">{t.th_seconds}</th>
                        <th scope="col" class="numeric">{t.th_share}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{t.phases_total}</th>
                        <td class="numeric">{lang.format_number(total, 3)}</td>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

#[component]
pub(crate) fn ModelDetails(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let body = move || {
        let lang = lang.get();
        let t = lang.texts();
        let Some(model) = result.report.model.as_ref() else {
            return view! { <p class="hint">"–"</p> }.into_any();
        };
        let pooled = model
            .pooled_levels
            .iter()
            .map(|p| format!("{}: {} → {}", p.column, p.levels.join(", "), p.into))
            .collect::<Vec<_>>()
            .join("; ");
        let ranking = &result.report.ranking;
        let q_significant = ranking
            .iter()
            .filter(|r| r.q_value.is_some_and(|q| q < 0.05))
            .count();
        let list = |items: &[String]| {
            if items.is_empty() {
                "–".to_owned()
            } else {
                items.join(", ")
            }
        };
        view! {
            <dl class="model-facts">
                <div><dt>{t.convergence_label}</dt><dd>{format!("{} Newton, max |U|/√I = {:.1e}", model.iterations, model.max_abs_score)}</dd></div>
                <div><dt>{t.log_likelihood_label}</dt><dd>{lang.format_number(model.log_likelihood, 3)}</dd></div>
                <div><dt>{t.pooled_label}</dt><dd>{if pooled.is_empty() { "–".to_owned() } else { pooled }}</dd></div>
                <div><dt>{t.dropped_label}</dt><dd>{list(&model.dropped_covariates)}</dd></div>
                <div><dt>{t.without_events_label}</dt><dd>{list(&model.municipalities_without_events)}</dd></div>
                <div><dt>{t.q_significant_label}</dt><dd>{format!("{q_significant} / {}", ranking.len())}</dd></div>
                <div><dt>{t.tau_squared_label}</dt><dd>{model.tau_squared.map_or_else(|| "–".to_owned(), |tau2| lang.format_number(tau2, 4))}</dd></div>
                <div><dt>{t.summary_explained}</dt><dd>{model.explained_share.map_or_else(|| "–".to_owned(), |share| lang.format_number(share, 3))}</dd></div>
            </dl>
            <p class="hint">{t.q_value_help}</p>
            {coefficient_table(
                lang,
                None,
                model.coefficients.iter().map(|c| (c.term.as_str(), c.estimate, Some(c.se))),
            )}
            <h4>{t.stage_two_heading}</h4>
            {coefficient_table(
                lang,
                Some("stage-two-table"),
                model.stage_two.iter().map(|c| (c.term.as_str(), c.estimate, c.se)),
            )}
            {
                let phases = result.phases.clone();
                let render = use_context::<RenderSeconds>();
                move || phase_table(lang, &phases, render.and_then(|r| r.0.get()))
            }
            {result.worker_memory_bytes.map(|bytes| view! {
                <p class="hint" id="worker-memory">
                    {format!("{}: {} MB", t.worker_memory_label, lang.format_count((bytes / 1e6).round() as usize))}
                </p>
            })}
        }
        .into_any()
    };
    view! {
        <details class="model">
            <summary>{move || texts().model_heading}</summary>
            {body}
        </details>
    }
}
