//! Tests that run in headless Chromium (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the reactive system run its effects (they are scheduled, not synchronous).
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ =
            web_sys_window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn web_sys_window() -> web_sys::Window {
    leptos::prelude::window()
}

fn mount_app() -> web_sys::HtmlElement {
    let document = leptos::prelude::document();
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("append");
    leptos::mount::mount_to(host.clone(), kommunebench_web::App).forget();
    host
}

#[wasm_bindgen_test]
async fn the_language_switch_changes_the_texts_and_html_lang() {
    let host = mount_app();
    next_tick().await;
    let text = host
        .text_content()
        .expect("the test input is as the test expects");
    assert!(text.contains("kommunebench"), "{text}");
    assert!(text.contains("Dine data bliver i denne browser"), "{text}");

    let english: web_sys::HtmlElement = host
        .query_selector("button[lang=en]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("an English button");
    english.click();
    next_tick().await;
    let text = host
        .text_content()
        .expect("the test input is as the test expects");
    assert!(text.contains("Your data stays in this browser"), "{text}");
    assert_eq!(
        english.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    let html_lang = leptos::prelude::document()
        .document_element()
        .and_then(|e| e.get_attribute("lang"));
    assert_eq!(html_lang.as_deref(), Some("en"));
}

/// The demo generated in the browser is byte for byte the one the CLI writes natively: both
/// must have the fingerprint the native tests check.
#[wasm_bindgen_test]
fn the_demo_is_the_same_bytes_as_natively() {
    let bytes = kommunebench_engine::demo::demo_csv(kommunebench_engine::demo::DEFAULT_SEED);
    assert_eq!(
        kommunebench_engine::demo::fingerprint(&bytes),
        kommunebench_engine::demo::DEFAULT_DEMO_FINGERPRINT
    );
}
