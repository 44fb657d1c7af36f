//! Downloads made in the page: text, bytes and an SVG drawn as PNG, each offered through a
//! Blob URL of this page (nothing leaves the browser).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Offers `text` as a file download through a Blob URL (nothing leaves the browser).
pub fn download(file_name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    offer(file_name, mime, &parts);
}

/// Offers `bytes` (an xlsx workbook) as a file download.
pub fn download_bytes(file_name: &str, mime: &str, bytes: &[u8]) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    offer(file_name, mime, &parts);
}

fn offer(file_name: &str, mime: &str, parts: &js_sys::Array) {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = leptos::prelude::document();
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    // Revoking at once can cancel the download; a minute later it has long started.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}

/// Offers an SVG drawing as a PNG image: the SVG is drawn onto a canvas at twice its size
/// (sharp in reports) through a Blob URL, so nothing leaves the browser.
pub fn download_svg_as_png(file_name: &str, svg: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let (file_name, source_url, loaded) = (file_name.to_owned(), url.clone(), image.clone());
    let on_load = Closure::once_into_js(move || {
        let document = leptos::prelude::document();
        let Some(canvas) = document
            .create_element("canvas")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        let (width, height) = (loaded.natural_width() * 2, loaded.natural_height() * 2);
        canvas.set_width(width);
        canvas.set_height(height);
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        if let Some(context) = context {
            let _ = context.draw_image_with_html_image_element_and_dw_and_dh(
                &loaded,
                0.0,
                0.0,
                f64::from(width),
                f64::from(height),
            );
            if let Ok(data_url) = canvas.to_data_url_with_type("image/png") {
                if let Some(anchor) = document
                    .create_element("a")
                    .ok()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                {
                    anchor.set_href(&data_url);
                    anchor.set_download(&file_name);
                    anchor.click();
                }
            }
        }
        let _ = web_sys::Url::revoke_object_url(&source_url);
    });
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_src(&url);
}
