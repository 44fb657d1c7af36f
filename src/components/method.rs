//! The method page: reached from every step by the masthead's "Metode" / "Method" link; the
//! step the user was on stays as it was underneath.

use leptos::prelude::*;

use crate::i18n::Lang;

#[component]
pub(crate) fn MethodPage(lang: ReadSignal<Lang>, on_close: Callback<()>) -> impl IntoView {
    let sections = move || {
        lang.get()
            .method_sections()
            .iter()
            .map(|section| {
                let paragraphs = section
                    .paragraphs
                    .iter()
                    .map(|p| view! { <p>{*p}</p> })
                    .collect_view();
                view! {
                    <section>
                        <h3>{section.heading}</h3>
                        {paragraphs}
                    </section>
                }
            })
            .collect_view()
    };
    view! {
        <article class="method" aria-labelledby="method-heading">
            <h2 id="method-heading" tabindex="-1">{move || lang.get().method_title()}</h2>
            {sections}
            <p class="actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    {move || lang.get().texts().back_button}
                </button>
                <button type="button" class="button secondary" on:click=|_| print_page()>
                    {move || lang.get().texts().print_button}
                </button>
            </p>
        </article>
    }
}

/// The browser's print dialog.
pub(crate) fn print_page() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
