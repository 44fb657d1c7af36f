//! The ranking (the seed's table 4): sortable, searchable, top and bottom five marked.

use std::sync::Arc;

use leptos::prelude::*;

use crate::download::download;
use crate::i18n::Lang;
use crate::view::{
    mark, page_rows, percent, rank_change_text, rank_interval_text, ranking_in_view, visible_rows,
    EffectView, Mark, SortKey, RANKING_PAGE_ROWS,
};
use crate::worker::protocol::WebResult;

#[component]
pub(crate) fn RankingTable(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    focus: RwSignal<String>,
    effect_view: RwSignal<EffectView>,
    request_xlsx: Callback<()>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new((SortKey::Rank, true));
    // The table shows one page of rows: thousands of ranked units (job centres, districts)
    // must not become one long main-thread task or a wall of rows.
    let page = RwSignal::new(0usize);
    // The rows the search and sort leave, in order (positions in the ranking of the view);
    // the body, the row count and the pager all read this one list.
    let visible = {
        let result = result.clone();
        Memo::new(move |_| {
            let (key, ascending) = sort.get();
            visible_rows(
                &ranking_in_view(&result.report.ranking, effect_view.get()),
                &search.get(),
                key,
                ascending,
            )
        })
    };
    let n_visible = Memo::new(move |_| visible.with(Vec::len));
    let n_ranked = result.report.ranking.len();
    // MODEL.md §9: with an earlier measurement the table gains the change of rank.
    let compared = result.report.comparison.is_some();
    let n_columns = if compared { "10" } else { "9" };
    let header = move |key: SortKey, label: fn(Lang) -> &'static str, numeric: bool| {
        let aria_sort = move || {
            let (current, ascending) = sort.get();
            if current != key {
                "none"
            } else if ascending {
                "ascending"
            } else {
                "descending"
            }
        };
        view! {
            <th scope="col" aria-sort=aria_sort class:numeric=numeric>
                <button
                    type="button"
                    class="sort"
                    on:click=move |_| {
                        page.set(0);
                        sort.update(|(current, ascending)| {
                            if *current == key {
                                *ascending = !*ascending;
                            } else {
                                *current = key;
                                *ascending = true;
                            }
                        })
                    }
                >
                    {move || label(lang.get())}
                </button>
            </th>
        }
    };
    let body = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            let t = lang.texts();
            let view_mode = effect_view.get();
            let ranking = &ranking_in_view(&result.report.ranking, view_mode);
            let no_shrinkage = view_mode == EffectView::Shrunken
                && ranking.iter().all(|r| r.shrunken_rank.is_none());
            let rows = visible.get();
            if rows.is_empty() {
                return view! { <tr><td colspan=n_columns>{t.no_matches}</td></tr> }.into_any();
            }
            let shown = page_rows(rows.len(), page.get());
            let first_index = shown.start;
            let rows = rows[shown]
                .iter()
                .enumerate()
                .map(|(position, &i)| {
                    // Row 1 is the header; the data rows follow, page by page.
                    let row_index = (first_index + position + 2).to_string();
                    let row = &ranking[i];
                    let marked = mark(row.rank, n_ranked);
                    let badge = match marked {
                        Some(Mark::Fastest) => Some(view! { <span class="badge fastest">{t.mark_fastest}</span> }),
                        Some(Mark::Slowest) => Some(view! { <span class="badge slowest">{t.mark_slowest}</span> }),
                        None => None,
                    };
                    let p_title = row.p_value.map(|p| format!("p = {}", lang.format_number(p, 3))).unwrap_or_default();
                    view! {
                        <tr aria-rowindex=row_index class:fastest=marked == Some(Mark::Fastest) class:slowest=marked == Some(Mark::Slowest)>
                            <td class="numeric">{row.rank.to_string()}</td>
                            <th scope="row">
                                <button type="button" class="link municipality" on:click={
                                    let name = row.municipality.clone();
                                    move |_| {
                                        focus.set(name.clone());
                                        if let Some(section) = document().get_element_by_id("profile") {
                                            section.scroll_into_view();
                                        }
                                    }
                                }>
                                    {row.municipality.clone()}
                                </button>
                                " "
                                {badge}
                            </th>
                            <td class="numeric">{lang.format_number(row.observed_months, 3)}</td>
                            <td class="numeric">{lang.format_number(row.expected_months, 3)}</td>
                            <td class="numeric">{lang.format_number(row.effect_months, 3)}</td>
                            <td class="stars" title=p_title>{row.stars.clone()}</td>
                            <td class="numeric">{lang.format_count(row.spells)}</td>
                            <td class="numeric">{percent(lang, row.completed_share, 0)}</td>
                            <td class="numeric rank-interval">{rank_interval_text(row)}</td>
                            {compared.then(|| {
                                let (shown, spoken) = rank_change_text(row, lang);
                                view! {
                                    <td class="numeric rank-change">
                                        <span aria-hidden="true">{shown}</span>
                                        <span class="visually-hidden">{spoken}</span>
                                    </td>
                                }
                            })}
                        </tr>
                    }
                })
                .collect_view();
            view! {
                {no_shrinkage.then(|| view! { <tr class="note"><td colspan=n_columns>{t.no_shrinkage_note}</td></tr> })}
                {rows}
            }
            .into_any()
        }
    };
    let national = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            let national = &result.report.national;
            let months =
                |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| lang.format_number(v, 3));
            view! {
                <tr class="national" aria-rowindex=move || (n_visible.get() + 2).to_string()>
                    <td></td>
                    <th scope="row">{lang.texts().national_row}</th>
                    <td class="numeric">{months(national.observed_months)}</td>
                    <td class="numeric">{months(national.expected_months)}</td>
                    <td class="numeric">{months(national.effect_months)}</td>
                    <td></td>
                    <td class="numeric">{lang.format_count(national.spells)}</td>
                    <td class="numeric">{percent(lang, national.completed_share, 0)}</td>
                    <td></td>
                    {compared.then(|| view! { <td></td> })}
                </tr>
            }
        }
    };
    let on_csv = {
        let result = result.clone();
        move |_| {
            let lang = lang.get_untracked();
            download(
                &format!("{}.csv", lang.texts().ranking_file),
                "text/csv;charset=utf-8",
                &kommunebench_export::ranking_csv(&result.report, lang.engine()),
            );
        }
    };
    // The xlsx writer lives in the worker (its wasm is not part of the page's first load).
    let on_xlsx = move |_| request_xlsx.run(());
    view! {
        <section class="ranking" aria-labelledby="ranking-heading">
            <h3 id="ranking-heading">{move || texts().ranking_heading}</h3>
            <p>{move || texts().ranking_intro}</p>
            <p class="search">
                <label for="ranking-search">{move || texts().search_label}</label>
                <input
                    id="ranking-search"
                    type="search"
                    prop:value=move || search.get()
                    on:input=move |event| {
                        page.set(0);
                        search.set(event_target_value(&event));
                    }
                />
            </p>
            <div class="table-scroll">
                <table id="ranking-table" class="data" aria-rowcount=move || (n_visible.get() + 2).to_string()>
                    <thead>
                        <tr aria-rowindex="1">
                            {header(SortKey::Rank, |l| l.texts().th_rank, true)}
                            {header(SortKey::Municipality, |l| l.texts().th_municipality, false)}
                            {header(SortKey::Observed, |l| l.texts().th_observed, true)}
                            {header(SortKey::Expected, |l| l.texts().th_expected, true)}
                            {move || if effect_view.get() == EffectView::Shrunken {
                                header(SortKey::Effect, |l| l.texts().th_shrunken_effect, true).into_any()
                            } else {
                                header(SortKey::Effect, |l| l.texts().th_effect, true).into_any()
                            }}
                            <th scope="col">{move || texts().th_stars}</th>
                            {header(SortKey::Spells, |l| l.texts().th_spells, true)}
                            {header(SortKey::Completed, |l| l.texts().th_completed, true)}
                            <th scope="col" class="numeric">{move || texts().th_rank_interval}</th>
                            {compared.then(|| view! { <th scope="col" class="numeric">{move || texts().th_rank_change}</th> })}
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                    <tfoot>{national}</tfoot>
                </table>
            </div>
            {move || {
                let total = n_visible.get();
                (total > RANKING_PAGE_ROWS).then(|| {
                    let shown = page_rows(total, page.get());
                    let last_page = (total - 1) / RANKING_PAGE_ROWS;
                    view! {
                        <nav class="pager" aria-label=move || texts().pager_label>
                            <button type="button" class="button secondary" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>
                                {move || texts().pager_previous}
                            </button>
                            <span role="status">{lang.get().rows_of(shown.start + 1, shown.end, total)}</span>
                            <button type="button" class="button secondary" disabled={move || page.get() >= last_page} on:click={move |_| page.update(|p| *p = (*p + 1).min(last_page))}>
                                {move || texts().pager_next}
                            </button>
                        </nav>
                    }
                })
            }}
            <p class="legend">{move || texts().stars_legend}</p>
            <p class="legend">{move || texts().rank_interval_legend}</p>
            <p class="actions">
                <button type="button" class="button secondary" on:click=on_csv>{move || texts().export_csv}</button>
                <button type="button" class="button secondary" on:click=on_xlsx>{move || texts().export_xlsx}</button>
            </p>
        </section>
    }
}
