//! The page: masthead with the language switch, the start screen with the upload area.

use leptos::prelude::*;

use crate::i18n::Lang;

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

    view! {
        <header class="masthead">
            <div class="masthead-title">
                <h1>"kommunebench"</h1>
                <p class="tagline">{move || texts().app_tagline}</p>
            </div>
            <LanguageSwitch lang=lang set_lang=set_lang />
        </header>
        <main id="main">
            <section class="intro" aria-labelledby="intro-heading">
                <p id="intro-heading">{move || texts().intro}</p>
                <p class="privacy" role="note">{move || texts().privacy}</p>
            </section>
            <section class="upload" aria-labelledby="upload-heading">
                <h2 id="upload-heading">{move || texts().upload_heading}</h2>
                <div class="dropzone">
                    <p>{move || texts().upload_hint}</p>
                    <label class="button" for="spell-file">{move || texts().upload_button}</label>
                    <input
                        id="spell-file"
                        class="visually-hidden"
                        type="file"
                        accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    />
                </div>
            </section>
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
