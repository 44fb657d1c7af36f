//! The page's side of the analysis worker: start it, queue requests until it is ready, hand
//! its answers to a callback, stop it on cancel.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};

use super::protocol::{Request, Response, WorkerError};

/// Trunk's loader shim for the worker binary (relative: works under a sub-path too).
const WORKER_URL: &str = "./kommunebench-worker_loader.js";

struct Running {
    worker: Worker,
    /// Kept alive as long as the worker; dropping it would detach the handler.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
    /// Set when the worker reported an error: the next request starts a fresh one.
    crashed: Rc<std::cell::Cell<bool>>,
    ready: Rc<RefCell<bool>>,
    pending: Rc<RefCell<Vec<JsValue>>>,
}

/// A lazily started worker.
#[derive(Clone, Default)]
pub struct WorkerClient {
    running: Rc<RefCell<Option<Running>>>,
}

impl WorkerClient {
    /// Sends `request` (with `file`, if any), starting the worker first if needed. Answers go
    /// to `on_response`.
    pub fn send(
        &self,
        request: &Request,
        file: Option<&File>,
        map: Option<&File>,
        on_response: Rc<dyn Fn(Response)>,
    ) -> Result<(), WorkerError> {
        let message = serde_wasm_bindgen::to_value(request)
            .map_err(|e| WorkerError::BadRequest(e.to_string()))?;
        for (key, attached) in [("file", file), ("map", map)] {
            if let Some(attached) = attached {
                js_sys::Reflect::set(&message, &JsValue::from_str(key), attached)
                    .map_err(|_| WorkerError::BadRequest(format!("cannot attach the {key}")))?;
            }
        }
        // A worker that failed is not reused.
        if self
            .running
            .borrow()
            .as_ref()
            .is_some_and(|r| r.crashed.get())
        {
            self.stop();
        }
        if self.running.borrow().is_none() {
            *self.running.borrow_mut() = Some(start(on_response)?);
        }
        let running = self.running.borrow();
        let Some(running) = running.as_ref() else {
            return Err(WorkerError::Unreachable);
        };
        if *running.ready.borrow() {
            running
                .worker
                .post_message(&message)
                .map_err(|_| WorkerError::Unreachable)
        } else {
            running.pending.borrow_mut().push(message);
            Ok(())
        }
    }

    /// Stops the worker (cancel): whatever it was doing is abandoned.
    pub fn stop(&self) {
        if let Some(running) = self.running.borrow_mut().take() {
            // The handlers go first: a message the worker posted before it was terminated may
            // still be dispatched, and its closure is dropped with `running` (wasm-bindgen
            // would throw "closure invoked recursively or after being dropped").
            running.worker.set_onmessage(None);
            running.worker.set_onerror(None);
            running.worker.set_onmessageerror(None);
            running.worker.terminate();
        }
    }
}

fn start(on_response: Rc<dyn Fn(Response)>) -> Result<Running, WorkerError> {
    let worker = Worker::new(WORKER_URL).map_err(|_| WorkerError::Unreachable)?;
    let ready = Rc::new(RefCell::new(false));
    let pending: Rc<RefCell<Vec<JsValue>>> = Rc::new(RefCell::new(Vec::new()));
    let (ready_flag, queue, target) = (ready.clone(), pending.clone(), worker.clone());
    let crashed = Rc::new(std::cell::Cell::new(false));
    // A panic, a failed load or an unreadable message: never a page that waits forever.
    let on_error = {
        let (crashed, on_response) = (crashed.clone(), on_response.clone());
        Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            crashed.set(true);
            let detail = js_sys::Reflect::get(&event, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| event.type_());
            on_response(Response::Failed(WorkerError::Crashed(detail)));
        })
    };
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<Response>(event.data()) {
            Ok(Response::Ready) => {
                *ready_flag.borrow_mut() = true;
                for message in queue.borrow_mut().drain(..) {
                    let _ = target.post_message(&message);
                }
            }
            Ok(response) => on_response(response),
            Err(error) => on_response(Response::Failed(WorkerError::BadAnswer(error.to_string()))),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        _on_message: on_message,
        _on_error: on_error,
        crashed,
        ready,
        pending,
    })
}
