//! A ranked municipality's drill-down.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::plots::profile_svg;
use crate::view::rank_interval_text;
use crate::view::{percent, sorted_municipalities};
use crate::worker::protocol::WebResult;
use kommunebench_engine::model::profile::MunicipalityProfile;

#[component]
pub(crate) fn ProfileView(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    focus: RwSignal<String>,
    profiles: RwSignal<Vec<MunicipalityProfile>>,
    request_profile: Callback<String>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    // A drill-down is computed by the worker when it is first opened, then kept.
    Effect::new(move |_| {
        let chosen = focus.get();
        let known = profiles.with_untracked(|p| p.iter().any(|p| p.municipality == chosen));
        if !chosen.is_empty() && !known {
            request_profile.run(chosen);
        }
    });
    let options = sorted_municipalities(&result.report.ranking)
        .into_iter()
        .map(|name| {
            let selected_name = name.clone();
            view! { <option value=name.clone() selected=move || focus.get() == selected_name>{name.clone()}</option> }
        })
        .collect_view();
    let body = move || {
        let chosen = focus.get();
        let lang = lang.get();
        let t = lang.texts();
        let report = &result.report;
        let Some(row) = report.ranking.iter().find(|r| r.municipality == chosen) else {
            return view! { <p class="hint">{t.profile_choose}</p> }.into_any();
        };
        let Some(profile) = profiles.with(|p| p.iter().find(|p| p.municipality == chosen).cloned())
        else {
            return view! { <p class="hint" role="status">{t.profile_loading}</p> }.into_any();
        };
        let profile = &profile;
        let mix = profile
            .mix
            .iter()
            .map(|m| {
                let (level, here, national) = match &m.level {
                    Some(level) => (
                        level.clone(),
                        percent(lang, m.municipality, 1),
                        percent(lang, m.national, 1),
                    ),
                    None => (
                        t.mix_mean.to_owned(),
                        lang.format_number(m.municipality, 2),
                        lang.format_number(m.national, 2),
                    ),
                };
                view! {
                    <tr>
                        <th scope="row">{m.covariate.clone()}</th>
                        <td>{level}</td>
                        <td class="numeric">{here}</td>
                        <td class="numeric">{national}</td>
                    </tr>
                }
            })
            .collect_view();
        let svg = profile_svg(profile, report.options.horizon_months, lang);
        view! {
            <dl class="summary">
                <div><dt>{t.th_rank}</dt><dd>{format!("{} / {}", row.rank, report.ranking.len())}</dd></div>
                <div><dt>{t.th_observed}</dt><dd>{lang.format_number(row.observed_months, 3)}</dd></div>
                <div><dt>{t.th_expected}</dt><dd>{lang.format_number(row.expected_months, 3)}</dd></div>
                <div><dt>{t.th_effect}</dt><dd>{format!("{} {}", lang.format_number(row.effect_months, 3), row.stars)}</dd></div>
                <div><dt>{t.q_value_label}</dt><dd>{row.q_value.map_or_else(|| "–".to_owned(), |q| lang.format_number(q, 3))}</dd></div>
                <div><dt>{t.th_rank_interval}</dt><dd>{rank_interval_text(row)}</dd></div>
                <div><dt>{t.th_spells}</dt><dd>{lang.format_count(row.spells)}</dd></div>
                <div><dt>{t.th_completed}</dt><dd>{percent(lang, row.completed_share, 0)}</dd></div>
            </dl>
            <p class="hint">{t.q_value_help}</p>
            <figure class="plot">
                <div class="svg-host" id="profile-plot" role="img" aria-label=format!("{} – {}", row.municipality, t.profile_heading) inner_html=svg></div>
                <figcaption>{format!("{}: {} / {}", row.municipality, t.profile_observed, t.profile_expected)}</figcaption>
            </figure>
            <h4>{t.profile_mix}</h4>
            <div class="table-scroll short">
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t.mix_covariate}</th>
                            <th scope="col">{t.mix_level}</th>
                            <th scope="col" class="numeric">{t.mix_here}</th>
                            <th scope="col" class="numeric">{t.mix_national}</th>
                        </tr>
                    </thead>
                    <tbody>{mix}</tbody>
                </table>
            </div>
        }
            .into_any()
    };
    view! {
        <section class="profile" id="profile" aria-labelledby="profile-heading">
            <h3 id="profile-heading">{move || texts().profile_heading}</h3>
            <p class="option">
                <label for="profile-choice">{move || texts().profile_choose}</label>
                <select id="profile-choice" on:change=move |event| focus.set(event_target_value(&event))>
                    <option value="">{move || texts().no_highlight}</option>
                    {options}
                </select>
            </p>
            {body}
        </section>
    }
}
