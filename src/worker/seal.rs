//! The worker seal: once the analysis worker's wasm has loaded, every way for code in the
//! worker to reach the network, or to turn text into code that could, is removed.
//!
//! Why: a `<meta>` Content-Security-Policy covers the page but not its workers. A worker takes
//! its policy from its own script's HTTP response headers, and a plain static host (the public
//! demo's kind) sends none. `cargo xtask serve` sends the policy as a header too, but the
//! promise that no data leaves the browser must hold on any host, so the worker seals itself.
//!
//! How: each name in [`SEALED_GLOBALS`] is deleted from the global object and from every
//! prototype on its chain (interfaces define their operations on prototypes), then pinned on
//! the global as a non-writable, non-configurable `undefined`, so nothing can put it back.
//! The string-to-code constructors behind `Function`, `async function` and generators are
//! reached through the prototypes of the functions the worker holds (the glue's
//! `wasm_bindgen` is an async function; it is a `let` binding, not a property of the global,
//! so the worker hands it in) and their `constructor` is pinned the same way. The
//! seal then checks itself; a worker whose seal did not hold refuses to analyse (fail closed).

/// The globals removed from the worker. Network: `fetch`, `XMLHttpRequest`, `WebSocket`,
/// `WebSocketStream`, `EventSource`, `WebTransport`, `importScripts`, nested `Worker`s (a
/// nested worker's script is a fresh, unsealed context), the Cache API (`caches.add` fetches),
/// `FontFace` and `fonts` (a font `url()` is fetched), `Notification` (its `icon` is fetched).
/// Text to code (which could call `import()`, a fetch no property removal can reach): `eval`,
/// `Function`, and the timers, which take a string as code.
pub const SEALED_GLOBALS: [&str; 19] = [
    "fetch",
    "XMLHttpRequest",
    "WebSocket",
    "WebSocketStream",
    "EventSource",
    "WebTransport",
    "importScripts",
    "Worker",
    "SharedWorker",
    "caches",
    "CacheStorage",
    "Cache",
    "FontFace",
    "fonts",
    "Notification",
    "eval",
    "Function",
    "setTimeout",
    "setInterval",
];

#[cfg(target_arch = "wasm32")]
pub use browser::seal_worker;

#[cfg(target_arch = "wasm32")]
mod browser {
    use js_sys::{Array, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    use super::SEALED_GLOBALS;

    /// Seals `scope` (the worker's global object). `held_functions` are functions the worker
    /// can reach that are not properties of the global (the glue's `wasm_bindgen`, declared
    /// with `let`: an async function). `Err` names what could not be sealed.
    pub fn seal_worker(scope: &Object, held_functions: &[JsValue]) -> Result<(), String> {
        // Collect the code constructors before `Function` itself is gone from the global.
        let mut code_prototypes = function_prototypes(scope);
        for function in held_functions.iter().filter(|f| f.is_function()) {
            let prototype = Object::get_prototype_of(function);
            if !prototype.is_null() && !code_prototypes.iter().any(|p| Object::is(p, &prototype)) {
                code_prototypes.push(prototype);
            }
        }
        for name in SEALED_GLOBALS.iter() {
            remove_everywhere(scope, &JsValue::from_str(name));
        }
        for prototype in &code_prototypes {
            remove_everywhere(prototype, &JsValue::from_str("constructor"));
        }
        let mut unsealed: Vec<String> = SEALED_GLOBALS
            .iter()
            .filter(|name| {
                Reflect::get(scope, &JsValue::from_str(name)).map_or(true, |v| !v.is_undefined())
            })
            .map(|name| (*name).to_owned())
            .collect();
        for prototype in &code_prototypes {
            if Reflect::get(prototype, &JsValue::from_str("constructor"))
                .map_or(true, |v| !v.is_undefined())
            {
                unsealed.push("constructor of a function prototype".to_owned());
            }
        }
        if unsealed.is_empty() {
            Ok(())
        } else {
            Err(unsealed.join(", "))
        }
    }

    /// Deletes `key` from `object` and every prototype of it, then pins `undefined` on
    /// `object` (non-writable, non-configurable).
    fn remove_everywhere(object: &Object, key: &JsValue) {
        let mut current: JsValue = object.clone().into();
        while let Some(holder) = current.dyn_ref::<Object>() {
            let _ = Reflect::delete_property(holder, key);
            let next = Object::get_prototype_of(holder);
            if next.is_null() || next.is_undefined() {
                break;
            }
            current = next.into();
        }
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &"value".into(), &JsValue::UNDEFINED);
        let _ = Reflect::set(&descriptor, &"writable".into(), &JsValue::FALSE);
        let _ = Reflect::set(&descriptor, &"configurable".into(), &JsValue::FALSE);
        let _ = Reflect::define_property(object, key, &descriptor);
    }

    /// The distinct prototypes of the functions held by the global object: `Function.prototype`
    /// and, through the glue's async `wasm_bindgen`, the async function prototype (and any
    /// generator prototype a global holds). Their `constructor` compiles text into code.
    fn function_prototypes(scope: &Object) -> Vec<Object> {
        let mut prototypes: Vec<Object> = Vec::new();
        let names: Array = Object::get_own_property_names(scope);
        for name in names.iter() {
            let Ok(value) = Reflect::get(scope, &name) else {
                continue;
            };
            if !value.is_function() {
                continue;
            }
            let prototype = Object::get_prototype_of(&value);
            if prototype.is_null() || prototype.is_undefined() {
                continue;
            }
            if !prototypes.iter().any(|p| Object::is(p, &prototype)) {
                prototypes.push(prototype);
            }
        }
        prototypes
    }
}
