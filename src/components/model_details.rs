//! The model's details: coefficients, pooled levels, dropped covariates, stage 2.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::worker::protocol::WebResult;

#[component]
pub(crate) fn ModelDetails(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let body = move || {
        let lang = lang.get();
        let t = lang.texts();
        let Some(model) = result.report.model.as_ref() else {
            return view! { <p class="hint">"–"</p> }.into_any();
        };
        let coefficients = model
            .coefficients
            .iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{c.term.clone()}</th>
                        <td class="numeric">{lang.format_number(c.estimate, 4)}</td>
                        <td class="numeric">{lang.format_number(c.se, 4)}</td>
                    </tr>
                }
            })
            .collect_view();
        let pooled = model
            .pooled_levels
            .iter()
            .map(|p| format!("{}: {} → {}", p.column, p.levels.join(", "), p.into))
            .collect::<Vec<_>>()
            .join("; ");
        let stage_two = model
            .stage_two
            .iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{c.term.clone()}</th>
                        <td class="numeric">{lang.format_number(c.estimate, 4)}</td>
                        <td class="numeric">{c.se.map_or_else(|| "–".to_owned(), |se| lang.format_number(se, 4))}</td>
                    </tr>
                }
            })
            .collect_view();
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
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">{t.th_term}</th>
                        <th scope="col" class="numeric">{t.th_estimate}</th>
                        <th scope="col" class="numeric">{t.th_se}</th>
                    </tr>
                </thead>
                <tbody>{coefficients}</tbody>
            </table>
            <h4>{t.stage_two_heading}</h4>
            <table class="data" id="stage-two-table">
                <thead>
                    <tr>
                        <th scope="col">{t.th_term}</th>
                        <th scope="col" class="numeric">{t.th_estimate}</th>
                        <th scope="col" class="numeric">{t.th_se}</th>
                    </tr>
                </thead>
                <tbody>{stage_two}</tbody>
            </table>
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
