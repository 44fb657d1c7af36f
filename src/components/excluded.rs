//! The rows the reader left out, with their reasons and a download.

use std::sync::Arc;

use leptos::prelude::*;

use crate::download::download;
use crate::i18n::Lang;
use crate::view::excluded_rows_csv;
use crate::view::LONG_LIST_SHOWN;
use crate::worker::protocol::WebResult;

#[component]
pub(crate) fn ExcludedRows(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let n = result.report.excluded_rows.len();
    let rows = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            // A file can lose thousands of rows: the first ones are listed, all are in the download.
            result
                .excluded_rows
                .iter()
                .take(LONG_LIST_SHOWN)
                .map(|row| {
                    let message = row.message(lang.engine());
                    view! {
                        <tr>
                            <td class="numeric">{row.line.to_string()}</td>
                            <td>{message}</td>
                        </tr>
                    }
                })
                .collect_view()
        }
    };
    let on_download = move |_| {
        let lang = lang.get_untracked();
        download(
            &format!("{}.csv", lang.texts().excluded_file),
            "text/csv;charset=utf-8",
            &excluded_rows_csv(&result, lang),
        );
    };
    view! {
        <section class="excluded" id="excluded-rows" aria-labelledby="excluded-heading">
            <h3 id="excluded-heading">{move || format!("{} ({n})", texts().excluded_heading)}</h3>
            {(n > LONG_LIST_SHOWN).then(|| view! {
                <p class="hint" id="excluded-shown">{move || lang.get().shown_of(LONG_LIST_SHOWN, n)}</p>
            })}
            {if n == 0 {
                view! { <p>{move || texts().excluded_none}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll short">
                        <table class="data">
                            <thead>
                                <tr>
                                    <th scope="col" class="numeric">{move || texts().th_line}</th>
                                    <th scope="col">{move || texts().th_reason}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <button type="button" class="button secondary" on:click=on_download>{move || texts().excluded_download}</button>
                }
                    .into_any()
            }}
        </section>
    }
}
