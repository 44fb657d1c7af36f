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
        let model = &result.report.model;
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
            </dl>
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
        }
    };
    view! {
        <details class="model">
            <summary>{move || texts().model_heading}</summary>
            {body}
        </details>
    }
}
