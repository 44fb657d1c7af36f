//! The page: start (upload or demo) → columns and options → progress → results.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::Lang;
use crate::plot::{caterpillar_svg, cohort_curves_svg, funnel_svg, profile_svg};
use crate::protocol::{Action, ColumnInfo, Progress, Request, Response, WebResult};
use crate::view::{
    excluded_rows_csv, mark, percent, sorted_municipalities, summary_paragraphs, visible_rows,
    Mark, SortKey, TEMPLATE_CSV,
};
use crate::worker_client::{download, download_bytes, download_svg_as_png, WorkerClient};

/// Where the language choice is remembered (this browser only, never sent anywhere).
const LANG_STORAGE_KEY: &str = "kommunebench.lang";

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn stored_lang() -> Lang {
    local_storage()
        .and_then(|storage| storage.get_item(LANG_STORAGE_KEY).ok().flatten())
        .and_then(|code| Lang::from_code(&code))
        .unwrap_or_default()
}

/// Where the user is.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Start,
    Inspecting,
    Columns {
        columns: Vec<ColumnInfo>,
        format: String,
        sheets: Vec<String>,
    },
    Running {
        progress: Option<Progress>,
    },
    Results(Arc<WebResult>),
    Failed {
        danish: String,
        english: String,
    },
}

#[component]
pub fn App() -> impl IntoView {
    let (lang, set_lang) = signal(stored_lang());
    // Remember the choice and keep `<html lang>` right for screen readers and hyphenation.
    Effect::new(move |_| {
        let code = lang.get().code();
        if let Some(storage) = local_storage() {
            // A full or disabled storage only means the choice is not remembered.
            let _ = storage.set_item(LANG_STORAGE_KEY, code);
        }
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
    });
    let texts = move || lang.get().texts();

    let stage = RwSignal::new(Stage::Start);
    let roles: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let horizon = RwSignal::new("48".to_owned());
    let piece = RwSignal::new("3".to_owned());
    let min_spells = RwSignal::new("80".to_owned());
    // The worksheet of an xlsx file (`None`: the first).
    let sheet: RwSignal<Option<String>> = RwSignal::new(None);
    let chosen_file: StoredValue<Option<web_sys::File>, LocalStorage> =
        StoredValue::new_local(None);
    let worker: StoredValue<WorkerClient, LocalStorage> =
        StoredValue::new_local(WorkerClient::default());

    let on_response: Rc<dyn Fn(Response)> = Rc::new(move |response: Response| match response {
        Response::Ready => {}
        Response::Progress(progress) => {
            if matches!(stage.get_untracked(), Stage::Running { .. }) {
                stage.set(Stage::Running {
                    progress: Some(progress),
                });
            }
        }
        Response::Columns {
            columns,
            format,
            sheets,
            sheet: read_sheet,
        } => {
            roles.set(columns.iter().map(|c| c.default_role.clone()).collect());
            sheet.set(read_sheet);
            stage.set(Stage::Columns {
                columns,
                format,
                sheets,
            });
        }
        Response::Results(result) => stage.set(Stage::Results(Arc::new(*result))),
        Response::Failed { danish, english } => stage.set(Stage::Failed { danish, english }),
    });
    // Views need `Send` closures: keep the (browser-only) handler in local storage and
    // capture only its handle.
    let on_response: StoredValue<Rc<dyn Fn(Response)>, LocalStorage> =
        StoredValue::new_local(on_response);
    let send = move |request: Request, with_file: bool| {
        let file = if with_file {
            chosen_file.with_value(Clone::clone)
        } else {
            None
        };
        let handler = on_response.with_value(Clone::clone);
        let sent = worker.with_value(|client| client.send(&request, file.as_ref(), handler));
        if let Err(error) = sent {
            stage.set(Stage::Failed {
                danish: error.clone(),
                english: error,
            });
        }
    };
    let number = |text: String, default: f64| {
        text.trim()
            .replace(',', ".")
            .parse::<f64>()
            .unwrap_or(default)
    };
    let request = move |action: Action, source_name: String| Request {
        action,
        source_name,
        roles: stage.with_untracked(|s| match s {
            Stage::Columns { columns, .. } => roles.with_untracked(|r| {
                columns
                    .iter()
                    .zip(r)
                    .filter(|(c, _)| c.has_role())
                    .map(|(c, role)| (c.name.clone(), role.clone()))
                    .collect()
            }),
            _ => Vec::new(),
        }),
        sheet: sheet.get_untracked(),
        horizon_months: number(horizon.get_untracked(), 48.0),
        piece_months: number(piece.get_untracked(), 3.0),
        min_spells: number(min_spells.get_untracked(), 80.0).max(0.0) as usize,
    };

    let choose_file = move |file: web_sys::File| {
        let name = file.name();
        chosen_file.set_value(Some(file));
        sheet.set(None);
        stage.set(Stage::Inspecting);
        send(request(Action::Inspect, name), true);
    };
    // Another worksheet: read its header again.
    let choose_sheet = move |name: String| {
        sheet.set(Some(name));
        let file_name = chosen_file
            .with_value(|f| f.as_ref().map(web_sys::File::name))
            .unwrap_or_default();
        stage.set(Stage::Inspecting);
        send(request(Action::Inspect, file_name), true);
    };
    let on_input_change = {
        move |event: web_sys::Event| {
            let input = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(file) = input
                .as_ref()
                .and_then(|i| i.files())
                .and_then(|files| files.get(0))
            {
                choose_file(file);
            }
            // Choosing the same file again must fire `change` again.
            if let Some(input) = input {
                input.set_value("");
            }
        }
    };
    let on_drop = {
        move |event: web_sys::DragEvent| {
            event.prevent_default();
            if let Some(file) = event
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|files| files.get(0))
            {
                choose_file(file);
            }
        }
    };
    let load_demo = move |_| {
        stage.set(Stage::Running { progress: None });
        send(request(Action::AnalyseDemo, "demo.csv".to_owned()), false);
    };
    let analyse = move |_| {
        let name = chosen_file
            .with_value(|f| f.as_ref().map(web_sys::File::name))
            .unwrap_or_default();
        let request = request(Action::Analyse, name);
        stage.set(Stage::Running { progress: None });
        send(request, true);
    };
    let cancel = move |_| {
        worker.with_value(WorkerClient::stop);
        stage.set(Stage::Start);
    };
    let start_over = move |_| stage.set(Stage::Start);

    view! {
        <a class="skip-link" href="#main">{move || if lang.get() == Lang::Da { "Gå til indholdet" } else { "Skip to content" }}</a>
        <header class="masthead">
            <div class="masthead-title">
                <h1>"kommunebench"</h1>
                <p class="tagline">{move || texts().app_tagline}</p>
            </div>
            <LanguageSwitch lang=lang set_lang=set_lang />
        </header>
        <main id="main">
            {move || match stage.get() {
                Stage::Start => {
                    view! {
                        <section class="intro" aria-labelledby="intro-text">
                            <p id="intro-text">{move || texts().intro}</p>
                            <p class="privacy" role="note">{move || texts().privacy}</p>
                        </section>
                        <section class="upload" aria-labelledby="upload-heading">
                            <h2 id="upload-heading">{move || texts().upload_heading}</h2>
                            <div
                                class="dropzone"
                                on:dragover=|event: web_sys::DragEvent| event.prevent_default()
                                on:drop=on_drop
                            >
                                <p>{move || texts().upload_hint}</p>
                                // The input comes first so that its keyboard focus shows on the
                                // label that stands for it (`input:focus-visible + label`).
                                <input
                                    id="spell-file"
                                    class="visually-hidden"
                                    type="file"
                                    accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                    on:change=on_input_change
                                />
                                <label class="button" for="spell-file">{move || texts().upload_button}</label>
                                <p class="or">
                                    <button type="button" class="button secondary" on:click=load_demo>
                                        {move || texts().demo_button}
                                    </button>
                                </p>
                                <p class="hint">{move || texts().demo_hint}</p>
                                <p>
                                    <button
                                        type="button"
                                        class="link"
                                        on:click=|_| download("kommunebench-skabelon.csv", "text/csv;charset=utf-8", TEMPLATE_CSV)
                                    >
                                        {move || texts().template_link}
                                    </button>
                                </p>
                            </div>
                        </section>
                    }
                        .into_any()
                }
                Stage::Inspecting => view! {
                    <section class="progress" aria-live="polite">
                        <p>{move || texts().progress_inspecting}</p>
                        <progress></progress>
                    </section>
                }
                    .into_any(),
                Stage::Columns { columns, format, sheets } => {
                    view! {
                        <SheetChoice lang=lang sheets=sheets sheet=sheet on_choose=choose_sheet />
                        <ColumnsStep
                            lang=lang
                            columns=columns
                            format=format
                            roles=roles
                            horizon=horizon
                            piece=piece
                            min_spells=min_spells
                        />
                        <p class="actions">
                            <button type="button" class="button" on:click=analyse>{move || texts().analyse_button}</button>
                            <button type="button" class="button secondary" on:click=start_over>{move || texts().start_over}</button>
                        </p>
                    }
                        .into_any()
                }
                Stage::Running { progress } => view! {
                    <section class="progress" aria-live="polite">
                        {match progress {
                            Some(Progress::Fitting { iteration, .. }) => view! {
                                <p>{move || format!("{} {}", texts().progress_fitting, iteration + 1)}</p>
                                <progress></progress>
                            }
                                .into_any(),
                            Some(Progress::Reading { bytes_read, total_bytes }) => view! {
                                <p>{move || texts().progress_reading}</p>
                                <progress max=total_bytes.max(1.0) value=bytes_read></progress>
                            }
                                .into_any(),
                            None => view! {
                                <p>{move || texts().progress_reading}</p>
                                <progress></progress>
                            }
                                .into_any(),
                        }}
                        <button type="button" class="button secondary" on:click=cancel>{move || texts().cancel_button}</button>
                    </section>
                }
                    .into_any(),
                Stage::Results(result) => view! {
                    <ResultsView lang=lang result=result />
                    <p class="actions">
                        <button type="button" class="button secondary" on:click=start_over>{move || texts().start_over}</button>
                    </p>
                }
                    .into_any(),
                Stage::Failed { danish, english } => view! {
                    <section class="failure" role="alert">
                        <h2>{move || texts().error_heading}</h2>
                        <p>{move || if lang.get() == Lang::Da { danish.clone() } else { english.clone() }}</p>
                        <button type="button" class="button" on:click=start_over>{move || texts().start_over}</button>
                    </section>
                }
                    .into_any(),
            }}
        </main>
    }
}

#[component]
fn LanguageSwitch(lang: ReadSignal<Lang>, set_lang: WriteSignal<Lang>) -> impl IntoView {
    let button = move |choice: Lang, label: &'static str| {
        view! {
            <button
                type="button"
                lang=choice.code()
                aria-pressed=move || (lang.get() == choice).to_string()
                on:click=move |_| set_lang.set(choice)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="language-switch" role="group" aria-label=move || lang.get().texts().language_label>
            {button(Lang::Da, "Dansk")}
            {button(Lang::En, "English")}
        </div>
    }
}

/// The worksheet to read, when an xlsx workbook has more than one.
#[component]
fn SheetChoice(
    lang: ReadSignal<Lang>,
    sheets: Vec<String>,
    sheet: RwSignal<Option<String>>,
    on_choose: impl Fn(String) + Copy + Send + 'static,
) -> impl IntoView {
    (sheets.len() > 1).then(|| {
        let options = sheets
            .into_iter()
            .map(|name| {
                let is_chosen = name.clone();
                view! {
                    <option value=name.clone() selected=move || sheet.get().as_deref() == Some(is_chosen.as_str())>
                        {name.clone()}
                    </option>
                }
            })
            .collect_view();
        view! {
            <p class="option">
                <label for="sheet-choice">{move || lang.get().texts().sheet_label}</label>
                <select id="sheet-choice" on:change=move |event| on_choose(event_target_value(&event))>
                    {options}
                </select>
            </p>
        }
    })
}

#[component]
fn ColumnsStep(
    lang: ReadSignal<Lang>,
    columns: Vec<ColumnInfo>,
    format: String,
    roles: RwSignal<Vec<String>>,
    horizon: RwSignal<String>,
    piece: RwSignal<String>,
    min_spells: RwSignal<String>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let rows = columns
        .into_iter()
        .enumerate()
        .map(|(index, column)| {
            let chooser = if column.has_role() {
                let options = kommunebench_engine::Role::ALL
                    .iter()
                    .map(|role| {
                        let code = role.code();
                        view! {
                            <option value=code selected=move || roles.with(|r| r.get(index).map(String::as_str) == Some(code))>
                                {move || lang.get().role_label(code)}
                            </option>
                        }
                    })
                    .collect_view();
                let id = format!("role-{index}");
                view! {
                    <select
                        id=id
                        aria-label=format!("{} {}", column.name, lang.get_untracked().texts().column_role)
                        on:change=move |event| {
                            let value = event_target_value(&event);
                            roles.update(|r| if let Some(slot) = r.get_mut(index) { *slot = value });
                        }
                    >
                        {options}
                    </select>
                }
                    .into_any()
            } else if column.usage == "identifier" {
                view! { <span class="fixed">{move || texts().role_identifier}</span> }.into_any()
            } else {
                view! { <span class="fixed">{move || texts().role_spell}</span> }.into_any()
            };
            view! {
                <tr>
                    <th scope="row">{column.name.clone()}</th>
                    <td>{chooser}</td>
                </tr>
            }
        })
        .collect_view();
    let number_input =
        move |id: &'static str, label: fn(Lang) -> &'static str, value: RwSignal<String>| {
            view! {
                <p class="option">
                    <label for=id>{move || label(lang.get())}</label>
                    <input
                        id=id
                        type="number"
                        min="1"
                        step="any"
                        prop:value=move || value.get()
                        on:input=move |event| value.set(event_target_value(&event))
                    />
                </p>
            }
        };
    view! {
        <section class="columns" aria-labelledby="columns-heading">
            <h2 id="columns-heading">{move || texts().columns_heading}</h2>
            <p>{move || texts().columns_intro}</p>
            <p class="hint">{format}</p>
            <table class="roles">
                <thead>
                    <tr>
                        <th scope="col">{move || texts().column_name}</th>
                        <th scope="col">{move || texts().column_role}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>{move || texts().options_heading}</h3>
            {number_input("horizon", |l| l.texts().horizon_label, horizon)}
            {number_input("piece", |l| l.texts().piece_label, piece)}
            {number_input("min-spells", |l| l.texts().min_spells_label, min_spells)}
        </section>
    }
}

#[component]
fn ResultsView(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
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
                .r_squared_municipal
                .map_or_else(|| "–".to_owned(), |r| lang.format_number(r, 2));
            view! {
                <dl class="summary">
                    <div><dt>{t.summary_source}</dt><dd>{format!("{} ({})", result.source_name, result.format)}</dd></div>
                    <div><dt>{t.summary_spells}</dt><dd>{report.national.spells.to_string()}</dd></div>
                    <div><dt>{t.summary_ranked}</dt><dd>{report.ranking.len().to_string()}</dd></div>
                    <div><dt>{t.summary_completed}</dt><dd>{percent(lang, report.national.completed_share, 1)}</dd></div>
                    <div><dt>{t.summary_r_squared}</dt><dd>{r_squared}</dd></div>
                    <div><dt>{t.summary_horizon}</dt><dd>{format!("{} {}", lang.format_number(report.model.horizon_months, 0), t.months_unit)}</dd></div>
                </dl>
            }
        }
    };
    // The municipality in focus (drill-down), chosen in the table or from a list.
    let focus = RwSignal::new(String::new());
    // Shown only when printed: the report's date, options and a method note.
    let print_header = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            let t = lang.texts();
            let model = &result.report.model;
            let date = js_sys::Date::new_0()
                .to_locale_date_string(lang.code(), &wasm_bindgen::JsValue::UNDEFINED);
            let options = format!(
                "{}: {} {} {}, {} {} {}, {} {}",
                t.print_options,
                t.horizon_label,
                lang.format_number(model.horizon_months, 0),
                t.months_unit,
                t.piece_label,
                lang.format_number(model.piece_months, 0),
                t.months_unit,
                t.min_spells_label,
                model.min_spells
            );
            view! {
                <div class="print-only">
                    <p>{format!("{} {}.", t.print_report, String::from(date))}</p>
                    <p>{options}</p>
                    <p>{t.print_method}</p>
                </div>
            }
        }
    };
    view! {
        <section class="results" aria-labelledby="results-heading" data-n-ranked=n_ranked.to_string()>
            <h2 id="results-heading">{move || texts().results_heading}</h2>
            {print_header}
            {summary}
            <SummaryText lang=lang result=result.clone() />
            <RankingTable lang=lang result=result.clone() focus=focus />
            <ProfileView lang=lang result=result.clone() focus=focus />
            <UncertaintyPlots lang=lang result=result.clone() />
            <UnrankedList lang=lang result=result.clone() />
            <OutcomesTable lang=lang result=result.clone() />
            <CohortsView lang=lang result=result.clone() />
            <ExcludedRows lang=lang result=result.clone() />
            <ModelDetails lang=lang result=result.clone() />
        </section>
    }
}

#[component]
fn RankingTable(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    focus: RwSignal<String>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new((SortKey::Rank, true));
    let n_ranked = result.report.ranking.len();
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
                    on:click=move |_| sort.update(|(current, ascending)| {
                        if *current == key {
                            *ascending = !*ascending;
                        } else {
                            *current = key;
                            *ascending = true;
                        }
                    })
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
            let ranking = &result.report.ranking;
            let (key, ascending) = sort.get();
            let rows = visible_rows(ranking, &search.get(), key, ascending);
            if rows.is_empty() {
                return view! { <tr><td colspan="8">{t.no_matches}</td></tr> }.into_any();
            }
            rows.into_iter()
                .map(|i| {
                    let row = &ranking[i];
                    let marked = mark(row.rank, n_ranked);
                    let badge = match marked {
                        Some(Mark::Fastest) => Some(view! { <span class="badge fastest">{t.mark_fastest}</span> }),
                        Some(Mark::Slowest) => Some(view! { <span class="badge slowest">{t.mark_slowest}</span> }),
                        None => None,
                    };
                    let p_title = row.p_value.map(|p| format!("p = {}", lang.format_number(p, 3))).unwrap_or_default();
                    view! {
                        <tr class:fastest=marked == Some(Mark::Fastest) class:slowest=marked == Some(Mark::Slowest)>
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
                            <td class="numeric">{row.spells.to_string()}</td>
                            <td class="numeric">{percent(lang, row.completed_share, 0)}</td>
                        </tr>
                    }
                })
                .collect_view()
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
                <tr class="national">
                    <td></td>
                    <th scope="row">{lang.texts().national_row}</th>
                    <td class="numeric">{months(national.observed_months)}</td>
                    <td class="numeric">{months(national.expected_months)}</td>
                    <td class="numeric">{months(national.effect_months)}</td>
                    <td></td>
                    <td class="numeric">{national.spells.to_string()}</td>
                    <td class="numeric">{percent(lang, national.completed_share, 0)}</td>
                </tr>
            }
        }
    };
    let on_csv = {
        let result = result.clone();
        move |_| {
            let lang = lang.get_untracked();
            download(
                "kommunebench-rangordning.csv",
                "text/csv;charset=utf-8",
                &kommunebench_export::ranking_csv(&result.report, lang.engine()),
            );
        }
    };
    let on_xlsx = {
        let result = result.clone();
        move |_| {
            if let Ok(bytes) =
                kommunebench_export::ranking_xlsx(&result.report, lang.get_untracked().engine())
            {
                download_bytes(
                    "kommunebench-rangordning.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &bytes,
                );
            }
        }
    };
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
                    on:input=move |event| search.set(event_target_value(&event))
                />
            </p>
            <div class="table-scroll">
                <table id="ranking-table" class="data">
                    <thead>
                        <tr>
                            {header(SortKey::Rank, |l| l.texts().th_rank, true)}
                            {header(SortKey::Municipality, |l| l.texts().th_municipality, false)}
                            {header(SortKey::Observed, |l| l.texts().th_observed, true)}
                            {header(SortKey::Expected, |l| l.texts().th_expected, true)}
                            {header(SortKey::Effect, |l| l.texts().th_effect, true)}
                            <th scope="col">{move || texts().th_stars}</th>
                            {header(SortKey::Spells, |l| l.texts().th_spells, true)}
                            {header(SortKey::Completed, |l| l.texts().th_completed, true)}
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                    <tfoot>{national}</tfoot>
                </table>
            </div>
            <p class="legend">{move || texts().stars_legend}</p>
            <p class="actions">
                <button type="button" class="button secondary" on:click=on_csv>{move || texts().export_csv}</button>
                <button type="button" class="button secondary" on:click=on_xlsx>{move || texts().export_xlsx}</button>
            </p>
        </section>
    }
}

/// A plot with its caption (which labels the figure) and its download buttons.
#[component]
fn PlotFigure(
    lang: ReadSignal<Lang>,
    id: &'static str,
    name: &'static str,
    caption: fn(Lang) -> &'static str,
    svg: Signal<String>,
) -> impl IntoView {
    view! {
        <figure class="plot">
            <div class="svg-host" id=id inner_html=move || svg.get()></div>
            <figcaption>{move || caption(lang.get())}</figcaption>
        </figure>
        <PlotDownloads lang=lang name=name svg=svg />
    }
}

/// "SVG" and "PNG" buttons for a drawn plot.
#[component]
fn PlotDownloads(lang: ReadSignal<Lang>, name: &'static str, svg: Signal<String>) -> impl IntoView {
    let label = move |format: &str| format!("{} ({format})", lang.get().texts().download_plot);
    view! {
        <p class="plot-downloads">
            <button type="button" class="link" on:click=move |_| download(&format!("{name}.svg"), "image/svg+xml", &svg.get_untracked())>
                {move || label("SVG")}
            </button>
            " · "
            <button type="button" class="link" on:click=move |_| download_svg_as_png(&format!("{name}.png"), &svg.get_untracked())>
                {move || label("PNG")}
            </button>
        </p>
    }
}

#[component]
fn ProfileView(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    focus: RwSignal<String>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
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
        let (Some(row), Some(profile)) = (
            report.ranking.iter().find(|r| r.municipality == chosen),
            result.profiles.iter().find(|p| p.municipality == chosen),
        ) else {
            return view! { <p class="hint">{t.profile_choose}</p> }.into_any();
        };
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
        let svg = profile_svg(profile, report.model.horizon_months, lang);
        view! {
            <dl class="summary">
                <div><dt>{t.th_rank}</dt><dd>{format!("{} / {}", row.rank, report.ranking.len())}</dd></div>
                <div><dt>{t.th_observed}</dt><dd>{lang.format_number(row.observed_months, 3)}</dd></div>
                <div><dt>{t.th_expected}</dt><dd>{lang.format_number(row.expected_months, 3)}</dd></div>
                <div><dt>{t.th_effect}</dt><dd>{format!("{} {}", lang.format_number(row.effect_months, 3), row.stars)}</dd></div>
                <div><dt>{t.th_spells}</dt><dd>{row.spells.to_string()}</dd></div>
                <div><dt>{t.th_completed}</dt><dd>{percent(lang, row.completed_share, 0)}</dd></div>
            </dl>
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

#[component]
fn SummaryText(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let paragraphs = move || {
        summary_paragraphs(&result, lang.get())
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

#[component]
fn UncertaintyPlots(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let highlight = RwSignal::new(String::new());
    let options = sorted_municipalities(&result.report.ranking)
        .into_iter()
        .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
        .collect_view();
    let caterpillar = {
        let result = result.clone();
        Signal::derive(move || {
            let chosen = highlight.get();
            caterpillar_svg(
                &result.report.ranking,
                (!chosen.is_empty()).then_some(chosen.as_str()),
                lang.get(),
            )
        })
    };
    let funnel = Signal::derive(move || funnel_svg(&result.report.ranking, lang.get()));
    view! {
        <section class="uncertainty" aria-labelledby="uncertainty-heading">
            <h3 id="uncertainty-heading">{move || texts().uncertainty_heading}</h3>
            <p class="option">
                <label for="highlight">{move || texts().highlight_label}</label>
                <select id="highlight" on:change=move |event| highlight.set(event_target_value(&event))>
                    <option value="">{move || texts().no_highlight}</option>
                    {options}
                </select>
            </p>
            <PlotFigure
                lang=lang
                id="caterpillar-plot"
                name="kommunebench-caterpillar"
                caption=|l| l.texts().caterpillar_caption
                svg=caterpillar
            />
            <PlotFigure lang=lang id="funnel-plot" name="kommunebench-tragt" caption=|l| l.texts().funnel_caption svg=funnel />
        </section>
    }
}

#[component]
fn UnrankedList(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let n = result.report.unranked.len();
    let items = move || {
        let lang = lang.get();
        let t = lang.texts();
        result
            .report
            .unranked
            .iter()
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
            <ul>{items}</ul>
        </details>
    }
}

#[component]
fn OutcomesTable(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
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
                        <td class="numeric">{shares.spells.to_string()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="outcomes" aria-labelledby="outcomes-heading">
            <h3 id="outcomes-heading">{move || texts().outcomes_heading}</h3>
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
        </section>
    }
}

#[component]
fn CohortsView(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
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
            <table class="data" id="cohorts-table">
                <thead>
                    <tr>
                        <th scope="col">{move || texts().permit_year}</th>
                        {year_headers}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <PlotFigure lang=lang id="cohort-plot" name="kommunebench-kohorter" caption=|l| l.texts().plot_caption svg=svg />
        </section>
    }
}

#[component]
fn ExcludedRows(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
    let texts = move || lang.get().texts();
    let n = result.report.excluded_rows.len();
    let rows = {
        let result = result.clone();
        move || {
            let lang = lang.get();
            result
                .report
                .excluded_rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let message = match lang {
                        Lang::Da => result
                            .excluded_messages_danish
                            .get(i)
                            .cloned()
                            .unwrap_or_default(),
                        Lang::En => row.message.clone(),
                    };
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
            "kommunebench-sorterede-raekker.csv",
            "text/csv;charset=utf-8",
            &excluded_rows_csv(&result, lang),
        );
    };
    view! {
        <section class="excluded" id="excluded-rows" aria-labelledby="excluded-heading">
            <h3 id="excluded-heading">{move || format!("{} ({n})", texts().excluded_heading)}</h3>
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

#[component]
fn ModelDetails(lang: ReadSignal<Lang>, result: Arc<WebResult>) -> impl IntoView {
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
