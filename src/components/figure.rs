//! A plot on the page with its SVG and PNG downloads; the caterpillar and funnel plots.

use std::sync::Arc;

use leptos::prelude::*;

use crate::download::{download, download_svg_as_png};
use crate::i18n::Lang;
use crate::plots::{caterpillar_svg, funnel_svg};
use crate::view::{ranking_in_view, sorted_municipalities, EffectView};
use crate::worker::protocol::WebResult;

/// A plot with its title, a line on how to read it (the caption, which labels the figure)
/// and its download buttons (file names in the page's language).
///
/// The plot is drawn in a task of its own after the page around it has been painted: drawn
/// with the results, the three plots made the results' first render a main-thread task of
/// 50–59 ms in some runs of `cargo xtask bench browser` (issue 13 asks for none over 50 ms).
#[component]
pub(crate) fn PlotFigure(
    lang: ReadSignal<Lang>,
    id: &'static str,
    /// The download's file name without extension, per language.
    name: fn(Lang) -> &'static str,
    title: fn(Lang) -> &'static str,
    caption: fn(Lang) -> &'static str,
    svg: Signal<String>,
) -> impl IntoView {
    let drawn = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(move || drawn.set(true), std::time::Duration::ZERO)
    });
    view! {
        <figure class="plot">
            <h4 class="plot-title">{move || title(lang.get())}</h4>
            <div class="svg-host" id=id inner_html=move || if drawn.get() { svg.get() } else { String::new() }></div>
            <figcaption>{move || caption(lang.get())}</figcaption>
        </figure>
        <PlotDownloads lang=lang name=name svg=svg />
    }
}

/// "SVG" and "PNG" buttons for a drawn plot.
#[component]
pub(crate) fn PlotDownloads(
    lang: ReadSignal<Lang>,
    name: fn(Lang) -> &'static str,
    svg: Signal<String>,
) -> impl IntoView {
    let label = move |format: &str| format!("{} ({format})", lang.get().texts().download_plot);
    view! {
        <p class="plot-downloads">
            <button type="button" class="link" on:click=move |_| download(&format!("{}.svg", name(lang.get_untracked())), "image/svg+xml", &svg.get_untracked())>
                {move || label("SVG")}
            </button>
            " · "
            <button type="button" class="link" on:click=move |_| download_svg_as_png(&format!("{}.png", name(lang.get_untracked())), &svg.get_untracked())>
                {move || label("PNG")}
            </button>
        </p>
    }
}

#[component]
pub(crate) fn UncertaintyPlots(
    lang: ReadSignal<Lang>,
    result: Arc<WebResult>,
    effect_view: RwSignal<EffectView>,
) -> impl IntoView {
    let texts = move || lang.get().texts();
    let highlight = RwSignal::new(String::new());
    let overdispersed = RwSignal::new(false);
    let options = sorted_municipalities(&result.report.ranking)
        .into_iter()
        .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
        .collect_view();
    let caterpillar = {
        let result = result.clone();
        Signal::derive(move || {
            let chosen = highlight.get();
            caterpillar_svg(
                &ranking_in_view(&result.report.ranking, effect_view.get()),
                (!chosen.is_empty()).then_some(chosen.as_str()),
                lang.get(),
            )
        })
    };
    let tau_months_squared = result
        .report
        .model
        .as_ref()
        .and_then(|m| m.overdispersion_months_squared);
    let funnel = Signal::derive(move || {
        funnel_svg(
            &result.report.ranking,
            lang.get(),
            tau_months_squared.filter(|_| overdispersed.get()),
        )
    });
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
                name=|l| l.texts().caterpillar_file
                title=|l| l.texts().caterpillar_title
                caption=|l| l.texts().caterpillar_caption
                svg=caterpillar
            />
            <p class="option">
                <label for="funnel-overdispersion" class="choice">
                    <input
                        type="checkbox"
                        id="funnel-overdispersion"
                        prop:checked=move || overdispersed.get()
                        disabled=tau_months_squared.is_none()
                        on:change=move |event| overdispersed.set(event_target_checked(&event))
                    />
                    " "
                    {move || texts().funnel_overdispersion_label}
                </label>
            </p>
            <p class="hint">{move || texts().funnel_overdispersion_help}</p>
            <PlotFigure
                lang=lang
                id="funnel-plot"
                name=|l| l.texts().funnel_file
                title=|l| l.texts().funnel_title
                caption=|l| l.texts().funnel_caption
                svg=funnel
            />
        </section>
    }
}
