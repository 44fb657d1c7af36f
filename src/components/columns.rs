//! The columns step: the worksheet of a workbook, each column's role and the model options.

use leptos::prelude::*;

use super::take_chosen_file;

use crate::i18n::describe_format;
use crate::i18n::Lang;
use crate::state::{OptionField, OptionsForm, SuccessChoice};
use crate::worker::protocol::ColumnInfo;
use kommunebench_engine::read::{ColumnUsage, SourceFormat};
use kommunebench_engine::Role;

/// The worksheet to read, when an xlsx workbook has more than one.
#[component]
pub(crate) fn SheetChoice(
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
pub(crate) fn ColumnsStep(
    lang: ReadSignal<Lang>,
    columns: Vec<ColumnInfo>,
    format: SourceFormat,
    roles: RwSignal<Vec<Role>>,
    options: RwSignal<OptionsForm>,
    option_errors: RwSignal<Vec<OptionField>>,
    /// The chosen mapping file's name (MODEL.md §9 `--map`), and how to choose or drop one.
    map_name: RwSignal<Option<String>>,
    on_map: Callback<Option<web_sys::File>>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let rows = columns
        .into_iter()
        .enumerate()
        .map(|(index, column)| {
            let chooser = if column.has_role() {
                let choices = Role::ALL
                    .iter()
                    .map(|&role| {
                        view! {
                            <option value=role.code() selected=move || roles.with(|r| r.get(index) == Some(&role))>
                                {move || lang.get().role_label(role)}
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
                            if let Some(role) = Role::parse(&event_target_value(&event)) {
                                roles.update(|r| if let Some(slot) = r.get_mut(index) { *slot = role });
                            }
                        }
                    >
                        {choices}
                    </select>
                }
                    .into_any()
            } else if column.usage == ColumnUsage::Identifier {
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
    // A field of the form: its text lives in `options`; when the analysis was refused for
    // it, it is marked invalid and says why next to it (never a silent default).
    let number_input = move |id: &'static str,
                             field: OptionField,
                             label: fn(Lang) -> &'static str,
                             get: fn(&OptionsForm) -> &String,
                             set: fn(&mut OptionsForm, String)| {
        let invalid = move || option_errors.with(|errors| errors.contains(&field));
        // The two permit-year fields share one message, below both.
        let shared_message = field == OptionField::PermitYears;
        let message_id = if shared_message {
            "permit-years-error".to_owned()
        } else {
            format!("{id}-error")
        };
        view! {
            <p class="option">
                <label for=id>{move || label(lang.get())}</label>
                <input
                    id=id
                    type="text"
                    inputmode="decimal"
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=message_id.clone()
                    prop:value=move || options.with(|o| get(o).clone())
                    on:input=move |event| options.update(|o| set(o, event_target_value(&event)))
                />
                <Show when=move || !shared_message>
                    <span id=format!("{id}-error") class="field-error" role="alert">
                        {move || invalid().then(|| lang.get().option_error(field))}
                    </span>
                </Show>
            </p>
        }
    };
    let success_choices = SuccessChoice::ALL
        .iter()
        .map(|&choice| {
            let id = format!("success-{}", choice.code());
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="success"
                        id=id
                        value=choice.code()
                        prop:checked=move || options.with(|o| o.success == choice)
                        on:change=move |_| options.update(|o| o.success = choice)
                    />
                    {move || {
                        let t = texts();
                        match choice {
                            SuccessChoice::Both => t.success_both,
                            SuccessChoice::SelfSupportOnly => t.success_self_support,
                            SuccessChoice::EducationOnly => t.success_education,
                        }
                    }}
                </label>
            }
        })
        .collect_view();
    let column_help = move || {
        texts()
            .columns_help
            .iter()
            .map(|item| view! { <li>{*item}</li> })
            .collect_view()
    };
    view! {
        <section class="columns" aria-labelledby="columns-heading">
            <h2 id="columns-heading" tabindex="-1">{move || texts().columns_heading}</h2>
            <p>{move || texts().columns_intro}</p>
            <details class="help" open>
                <summary>{move || texts().columns_help_summary}</summary>
                <ul>{column_help}</ul>
            </details>
            <p class="hint" id="file-format">{move || describe_format(lang.get(), &format)}</p>
            <div class="table-wide" tabindex="0">
                <table class="roles">
                    <thead>
                        <tr>
                            <th scope="col">{move || texts().column_name}</th>
                            <th scope="col">{move || texts().column_role}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h3>{move || texts().options_heading}</h3>
            <p class="hint">{move || texts().options_help}</p>
            {number_input("horizon", OptionField::Horizon, |l| l.texts().horizon_label, |o| &o.horizon, |o, v| o.horizon = v)}
            {number_input("piece", OptionField::Piece, |l| l.texts().piece_label, |o| &o.piece, |o, v| o.piece = v)}
            {number_input("min-spells", OptionField::MinSpells, |l| l.texts().min_spells_label, |o| &o.min_spells, |o, v| o.min_spells = v)}
            <fieldset class="option">
                <legend>{move || texts().success_legend}</legend>
                {success_choices}
            </fieldset>
            <fieldset class="option permit-years">
                <legend>{move || texts().permit_years_legend}</legend>
                {number_input("permit-from", OptionField::PermitYears, |l| l.texts().permit_from_label, |o| &o.permit_from, |o, v| o.permit_from = v)}
                {number_input("permit-to", OptionField::PermitYears, |l| l.texts().permit_to_label, |o| &o.permit_to, |o, v| o.permit_to = v)}
                <span id="permit-years-error" class="field-error" role="alert">
                    {move || {
                        option_errors
                            .with(|errors| errors.contains(&OptionField::PermitYears))
                            .then(|| lang.get().option_error(OptionField::PermitYears))
                    }}
                </span>
            </fieldset>
            <fieldset class="option mapping">
                <legend>{move || texts().map_legend}</legend>
                <p class="hint">{move || texts().map_help}</p>
                <input
                    id="map-file"
                    class="visually-hidden"
                    type="file"
                    accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    on:change=move |event| {
                        if let Some(file) = take_chosen_file(&event) {
                            on_map.run(Some(file));
                        }
                    }
                />
                <label class="button secondary" for="map-file">{move || texts().map_button}</label>
                {move || map_name.get().map(|name| view! {
                    <p class="kept-file">
                        {format!("{} {name}. ", texts().map_chosen)}
                        <button type="button" class="link" on:click=move |_| on_map.run(None)>
                            {move || texts().map_remove}
                        </button>
                    </p>
                })}
            </fieldset>
        </section>
    }
}
