//! The page and its stages: start (upload or demo) → columns and options → progress →
//! results. Wiring only: state and request building live in `crate::state`.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::*;
use crate::download::{download, download_bytes};
use crate::i18n::error_text;
use crate::i18n::Lang;
use crate::state::{build_request, ModelChoices, OptionField, OptionsForm, Stage};
use crate::view::TEMPLATE_CSV;
use crate::worker::client::WorkerClient;
use crate::worker::protocol::{
    Action, ColumnInfo, ExportRequest, Progress, Request, Response, WorkerError,
};
use kommunebench_engine::progress::Phase;
use kommunebench_engine::Role;

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

/// The largest file the browser version reads (the worker holds the valid spells, the
/// model's design and, for xlsx, the workbook): 500 MB.
const MAX_BROWSER_FILE_BYTES: f64 = 500e6;

/// MODEL.md's defaults (the options form's initial values; the default form is valid, as
/// `crate::state` tests).
fn default_choices() -> ModelChoices {
    OptionsForm::default().validate().unwrap_or_default()
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
    let roles: RwSignal<Vec<Role>> = RwSignal::new(Vec::new());
    let options = RwSignal::new(OptionsForm::default());
    let option_errors: RwSignal<Vec<OptionField>> = RwSignal::new(Vec::new());
    // The worksheet of an xlsx file (`None`: the first).
    let sheet: RwSignal<Option<String>> = RwSignal::new(None);
    let chosen_file: StoredValue<Option<web_sys::File>, LocalStorage> =
        StoredValue::new_local(None);
    // The chosen file's number (`Request::file_id`), one more for each file chosen.
    let chosen_file_id = StoredValue::new(0u64);
    let worker: StoredValue<WorkerClient, LocalStorage> =
        StoredValue::new_local(WorkerClient::default());

    // MODEL.md §9 `--map`: the mapping file the officer chose on the options step.
    let map_file: StoredValue<Option<web_sys::File>, LocalStorage> = StoredValue::new_local(None);
    let map_name: RwSignal<Option<String>> = RwSignal::new(None);
    let on_map = Callback::new(move |file: Option<web_sys::File>| {
        map_name.set(file.as_ref().map(web_sys::File::name));
        map_file.set_value(file);
    });
    // The drill-downs the worker has sent for the results shown (computed when first opened).
    let profiles: RwSignal<Vec<kommunebench_engine::model::profile::MunicipalityProfile>> =
        RwSignal::new(Vec::new());
    let profile_gone: RwSignal<Option<String>> = RwSignal::new(None);
    // The page's own step, shown with the worker's in the model details.
    let render_seconds: RwSignal<Option<f64>> = RwSignal::new(None);
    provide_context(crate::components::model_details::RenderSeconds(
        render_seconds,
    ));
    // Why the Excel file could not be written (its writer runs in the worker).
    let export_error: RwSignal<Option<String>> = RwSignal::new(None);
    // Why the earlier measurement could not be read (shown beside its file input).
    let compare_error: RwSignal<Option<WorkerError>> = RwSignal::new(None);
    // When the last request left for the worker (seconds since the epoch).
    let sent_at: StoredValue<f64> = StoredValue::new(0.0);
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
            roles.set(columns.iter().map(ColumnInfo::default_role).collect());
            sheet.set(read_sheet);
            release_focus();
            stage.set(Stage::Columns {
                columns,
                format,
                sheets,
            });
        }
        Response::Results(mut result) => {
            // The worker timed its steps; the rest of the wait is the transfer to the page.
            let waited = js_sys::Date::now() / 1000.0 - sent_at.get_value();
            let transfer = (waited - result.phases.total()).max(0.0);
            result.phases.seconds.push((Phase::Transfer, transfer));
            profiles.set(Vec::new());
            profile_gone.set(None);
            release_focus();
            render_seconds.set(None);
            let shown_at = js_sys::Date::now();
            stage.set(Stage::Results(Arc::new(*result)));
            // The render and the frame after it: a timeout from the next animation frame
            // runs once that frame is painted.
            request_animation_frame(move || {
                set_timeout(
                    move || render_seconds.set(Some((js_sys::Date::now() - shown_at) / 1000.0)),
                    std::time::Duration::ZERO,
                )
            });
        }
        Response::Failed(error) => stage.set(Stage::Failed(error)),
        // MODEL.md §9: the earlier measurement, read by the worker, compared here.
        Response::Previous(previous) => {
            compare_error.set(None);
            if let Stage::Results(result) = stage.get_untracked() {
                let mut compared = (*result).clone();
                compared.report.compare_with(&previous);
                stage.set(Stage::Results(Arc::new(compared)));
            }
        }
        Response::PreviousFailed(error) => compare_error.set(Some(error)),
        Response::Xlsx { bytes, error } => match (bytes, error) {
            (Some(bytes), _) => {
                export_error.set(None);
                download_bytes(
                    &format!("{}.xlsx", lang.get_untracked().texts().ranking_file),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &bytes,
                );
            }
            (None, error) => export_error.set(Some(error.unwrap_or_default())),
        },
        Response::Profile {
            municipality,
            profile,
        } => match profile {
            Some(profile) => profiles.update(|p| p.push(*profile)),
            // The worker no longer holds the analysis (it was restarted): say so in place.
            None => profile_gone.set(Some(municipality)),
        },
    });
    // Views need `Send` closures: keep the (browser-only) handler in local storage and
    // capture only its handle.
    let on_response: StoredValue<Rc<dyn Fn(Response)>, LocalStorage> =
        StoredValue::new_local(on_response);
    let send = move |mut request: Request, file: Option<web_sys::File>| {
        if matches!(request.action, Action::Inspect | Action::Analyse) {
            request.file_id = chosen_file_id.get_value();
        }
        let handler = on_response.with_value(Clone::clone);
        sent_at.set_value(js_sys::Date::now() / 1000.0);
        // The mapping file goes with an analysis only.
        let map = (request.action == Action::Analyse)
            .then(|| map_file.with_value(Clone::clone))
            .flatten();
        let sent =
            worker.with_value(|client| client.send(&request, file.as_ref(), map.as_ref(), handler));
        if let Err(error) = sent {
            stage.set(Stage::Failed(error));
        }
    };
    // The request for `action`, or `None` (with the invalid fields shown) when the options
    // form is not valid: never a silent default.
    let request = move |action: Action, source_name: String| {
        let choices = match options.with_untracked(OptionsForm::validate) {
            Ok(choices) => choices,
            Err(fields) => {
                option_errors.set(fields);
                return None;
            }
        };
        option_errors.set(Vec::new());
        let columns = stage.with_untracked(|s| match s {
            Stage::Columns { columns, .. } => columns.clone(),
            _ => Vec::new(),
        });
        let mut request = roles.with_untracked(|roles| {
            build_request(
                action,
                source_name,
                &columns,
                roles,
                sheet.get_untracked(),
                choices,
            )
        });
        request.map_name = map_name.get_untracked();
        Some(request)
    };

    // Reading the header and the demo do not use the form: MODEL.md's defaults.
    let with_defaults = move |action: Action, source_name: String| {
        build_request(
            action,
            source_name,
            &[],
            &[],
            sheet.get_untracked(),
            default_choices(),
        )
    };
    // The drop zone shows when a file is over it, and says which file it uses when several
    // are dropped (the first).
    let dragging = RwSignal::new(false);
    let drop_note: RwSignal<Option<(u32, String)>> = RwSignal::new(None);
    let choose_file = move |file: web_sys::File| {
        // Beyond this the browser tab runs out of memory; the CLI reads any size.
        if file.size() > MAX_BROWSER_FILE_BYTES {
            stage.set(Stage::Failed(WorkerError::FileTooLarge {
                bytes: file.size(),
                limit_bytes: MAX_BROWSER_FILE_BYTES,
            }));
            return;
        }
        let name = file.name();
        drop_note.set(None);
        chosen_file.set_value(Some(file));
        chosen_file_id.update_value(|id| *id += 1);
        sheet.set(None);
        stage.set(Stage::Inspecting);
        send(
            with_defaults(Action::Inspect, name),
            chosen_file.with_value(Clone::clone),
        );
    };
    // Another worksheet: read its header again.
    let choose_sheet = move |name: String| {
        sheet.set(Some(name));
        let file_name = chosen_file
            .with_value(|f| f.as_ref().map(web_sys::File::name))
            .unwrap_or_default();
        stage.set(Stage::Inspecting);
        send(
            with_defaults(Action::Inspect, file_name),
            chosen_file.with_value(Clone::clone),
        );
    };
    let on_input_change = move |event: web_sys::Event| {
        if let Some(file) = take_chosen_file(&event) {
            choose_file(file);
        }
    };
    let on_drop = {
        move |event: web_sys::DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let files = event.data_transfer().and_then(|d| d.files());
            let n_files = files.as_ref().map_or(0, web_sys::FileList::length);
            if let Some(file) = files.and_then(|files| files.get(0)) {
                let name = file.name();
                choose_file(file);
                drop_note.set((n_files > 1).then_some((n_files, name)));
            }
        }
    };
    // Start over keeps the file and the options: the file can be analysed again at once.
    let kept_file_name = move || chosen_file.with_value(|f| f.as_ref().map(web_sys::File::name));
    let use_kept_file = move |_| {
        if let Some(name) = kept_file_name() {
            stage.set(Stage::Inspecting);
            send(
                with_defaults(Action::Inspect, name),
                chosen_file.with_value(Clone::clone),
            );
        }
    };
    let load_demo = move |_| {
        stage.set(Stage::Running { progress: None });
        send(
            with_defaults(Action::AnalyseDemo, "demo.csv".to_owned()),
            None,
        );
    };
    let analyse = move |_| {
        let name = chosen_file
            .with_value(|f| f.as_ref().map(web_sys::File::name))
            .unwrap_or_default();
        // An invalid form stays on the columns step with its fields marked.
        if let Some(request) = request(Action::Analyse, name) {
            stage.set(Stage::Running { progress: None });
            send(request, chosen_file.with_value(Clone::clone));
        }
    };
    let on_compare_file = move |event: web_sys::Event| {
        if let Some(file) = take_chosen_file(&event) {
            let name = file.name();
            send(with_defaults(Action::ReadPrevious, name), Some(file));
        }
    };
    let request_xlsx = Callback::new(move |()| {
        if let Stage::Results(result) = stage.get_untracked() {
            let mut request = with_defaults(Action::ExportXlsx, result.source_name.clone());
            request.export = Some(Box::new(ExportRequest {
                report: result.report.clone(),
                danish: lang.get_untracked() == Lang::Da,
            }));
            send(request, None);
        }
    });
    let request_profile = Callback::new(move |municipality: String| {
        let mut request = with_defaults(Action::Profile, String::new());
        request.municipality = Some(municipality);
        send(request, None);
    });
    let cancel = move |_| {
        worker.with_value(WorkerClient::stop);
        stage.set(Stage::Start);
    };
    let start_over = move |_| stage.set(Stage::Start);
    // The method page lies over whatever step the user is on; that step stays as it was.
    let show_method = RwSignal::new(false);
    let close_method = Callback::new(move |()| show_method.set(false));
    // After each step (and on opening or closing the method page), the keyboard focus and
    // the screen reader move to the new step's heading.
    Effect::new(move |previous: Option<(&'static str, bool)>| {
        let now = (stage.with(step_heading_id), show_method.get());
        if previous.is_some_and(|p| p != now) {
            let id = if now.1 { "method-heading" } else { now.0 };
            // After the new step's first frame: focusing earlier makes Chromium lay the step
            // out inside the task that focuses (33 ms of the results' first frame in a CPU
            // profile); once the frame is painted, the layout is done and focusing is cheap.
            request_animation_frame(move || {
                set_timeout(move || focus_element(id), std::time::Duration::ZERO)
            });
        }
        now
    });

    view! {
        <a class="skip-link" href="#main">{move || if lang.get() == Lang::Da { "Gå til indholdet" } else { "Skip to content" }}</a>
        <header class="masthead">
            <div class="masthead-title">
                <h1>"kommunebench"</h1>
                <p class="tagline">{move || texts().app_tagline}</p>
            </div>
            <nav class="masthead-links" aria-label=move || texts().method_link>
                <a
                    href="#metode"
                    id="method-link"
                    aria-current=move || show_method.get().then_some("page")
                    on:click=move |event: web_sys::MouseEvent| {
                        event.prevent_default();
                        show_method.set(true);
                    }
                >
                    {move || texts().method_link}
                </a>
            </nav>
            <LanguageSwitch lang=lang set_lang=set_lang />
        </header>
        <main id="main">
            <Show when=move || show_method.get()>
                <MethodPage lang=lang on_close=close_method />
            </Show>
            <div class="step" hidden=move || show_method.get()>
            {move || match stage.get() {
                Stage::Start => {
                    view! {
                        <section class="intro" aria-labelledby="intro-text">
                            <p id="intro-text">{move || texts().intro}</p>
                            <p class="privacy" role="note">{move || texts().privacy}</p>
                        </section>
                        <section class="upload" aria-labelledby="upload-heading">
                            <h2 id="upload-heading" tabindex="-1">{move || texts().upload_heading}</h2>
                            <div
                                class="dropzone"
                                class:dragging=move || dragging.get()
                                on:dragover=move |event: web_sys::DragEvent| {
                                    event.prevent_default();
                                    dragging.set(true);
                                }
                                on:dragleave=move |_| dragging.set(false)
                                on:drop=on_drop
                            >
                                <p>{move || if dragging.get() { texts().drop_ready } else { texts().upload_hint }}</p>
                                {move || kept_file_name().map(|name| view! {
                                    <p class="kept-file">
                                        {format!("{} {name}. ", texts().kept_file)}
                                        <button type="button" class="button secondary" on:click=use_kept_file>
                                            {move || texts().use_kept_file}
                                        </button>
                                    </p>
                                })}
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
                                        on:click=move |_| download(&format!("{}.csv", lang.get_untracked().texts().template_file), "text/csv;charset=utf-8", TEMPLATE_CSV)
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
                        <h2 id="progress-heading" class="visually-hidden" tabindex="-1">{move || texts().progress_heading}</h2>
                        <p>{move || texts().progress_inspecting}</p>
                        <progress></progress>
                        <button type="button" class="button secondary" on:click=cancel>{move || texts().cancel_button}</button>
                    </section>
                }
                    .into_any(),
                Stage::Columns { columns, format, sheets } => {
                    view! {
                        {move || drop_note.get().map(|(n, name)| view! {
                            <p class="note" role="status">{lang.get().several_files_dropped(n, &name)}</p>
                        })}
                        <SheetChoice lang=lang sheets=sheets sheet=sheet on_choose=choose_sheet />
                        <ColumnsStep
                            lang=lang
                            columns=columns
                            format=format
                            roles=roles
                            options=options
                            option_errors=option_errors
                            map_name=map_name
                            on_map=on_map
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
                        <h2 id="progress-heading" class="visually-hidden" tabindex="-1">{move || texts().progress_heading}</h2>
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
                    <ResultsView
                        lang=lang
                        result=result
                        profiles=profiles
                        request_profile=request_profile
                        request_xlsx=request_xlsx
                    />
                    {move || export_error.get().map(|error| view! {
                        <p class="field-error" role="alert">{format!("{} {error}", texts().export_failed)}</p>
                    })}
                    {move || profile_gone.get().map(|name| view! {
                        <p class="note" role="status">{lang.get().profile_gone(&name)}</p>
                    })}
                    <section class="compare" aria-labelledby="compare-heading">
                        <h3 id="compare-heading">{move || texts().compare_heading}</h3>
                        <p class="hint">{move || texts().compare_help}</p>
                        <input
                            id="previous-file"
                            class="visually-hidden"
                            type="file"
                            accept=".json,.csv,.txt,.xlsx,application/json,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            on:change=on_compare_file
                        />
                        <label class="button secondary" for="previous-file">{move || texts().compare_button}</label>
                        <p class="field-error" role="alert">
                            {move || compare_error.get().map(|error| error_text(lang.get(), &error))}
                        </p>
                    </section>
                    <p class="actions">
                        <button type="button" class="button" on:click=|_| print_page()>{move || texts().print_button}</button>
                        <button type="button" class="button secondary" on:click=start_over>{move || texts().start_over}</button>
                    </p>
                }
                    .into_any(),
                Stage::Failed(error) => view! {
                    <section class="failure" role="alert">
                        <h2 id="error-heading" tabindex="-1">{move || texts().error_heading}</h2>
                        <p>{move || error_text(lang.get(), &error)}</p>
                        <button type="button" class="button" on:click=start_over>{move || texts().start_over}</button>
                    </section>
                }
                    .into_any(),
            }}
            </div>
        </main>
    }
}

/// The heading a step's view opens with (each has `tabindex="-1"`, so it can take focus).
fn step_heading_id(stage: &Stage) -> &'static str {
    match stage {
        Stage::Start => "upload-heading",
        Stage::Inspecting | Stage::Running { .. } => "progress-heading",
        Stage::Columns { .. } => "columns-heading",
        Stage::Results(_) => "results-heading",
        Stage::Failed(_) => "error-heading",
    }
}

/// Takes the keyboard focus off the progress step's heading before the step is replaced:
/// removing the focused element makes Chromium lay out the page at once, inside the task
/// that renders the next step (21–36 ms of the results' first render in a CPU profile of
/// `cargo xtask bench browser`). The focus then moves to the new step's heading after the
/// step's first frame, as after every step.
fn release_focus() {
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = focused {
        element.blur().ok();
    }
}

/// Moves the keyboard focus to the element `id`, if it is there.
fn focus_element(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

#[component]
pub(crate) fn LanguageSwitch(lang: ReadSignal<Lang>, set_lang: WriteSignal<Lang>) -> impl IntoView {
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
