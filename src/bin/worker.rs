//! The analysis worker: reads the `File` in slices and runs the engine off the main thread.
//! Glue only; the work is `kommunebench_web::worker::work::perform`.

#[cfg(target_arch = "wasm32")]
fn main() {
    browser::listen();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kommunebench-worker runs in the browser only (built by Trunk as a web worker).");
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::io::{Read, Seek, SeekFrom};

    use kommunebench_web::worker::protocol::{Request, Response, WorkerError};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

    #[wasm_bindgen]
    extern "C" {
        /// The glue's `wasm_bindgen` (Trunk's worker loader calls it to load the wasm): an
        /// async function, whose prototype's `constructor` compiles text into code.
        #[wasm_bindgen(thread_local_v2, js_name = wasm_bindgen)]
        static GLUE: JsValue;
    }

    /// Sets the message handler, then tells the page it is ready (messages sent before that
    /// would be lost while the wasm loads).
    ///
    /// First of all, the worker seals itself (`kommunebench_web::seal`): the wasm has loaded,
    /// so nothing in the worker needs the network any more. A seal that did not hold makes
    /// every request fail with the reason (fail closed).
    pub fn listen() {
        console_error_panic_hook::set_once();
        let glue = GLUE.with(JsValue::clone);
        let seal = kommunebench_web::worker::seal::seal_worker(&js_sys::global(), &[glue]);
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let replies = scope.clone();
        let handler =
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| match &seal {
                Ok(()) => handle(&replies, &event.data()),
                Err(unsealed) => post(
                    &replies,
                    &Response::Failed(WorkerError::Unsealed(unsealed.clone())),
                ),
            });
        scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        // The handler lives as long as the worker.
        handler.forget();
        post(&scope, &Response::Ready);
    }

    fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
        if let Ok(value) = serde_wasm_bindgen::to_value(response) {
            let _ = scope.post_message(&value);
        }
    }

    thread_local! {
        /// The last analysis, kept for the drill-downs the page asks for.
        static STATE: std::cell::RefCell<kommunebench_web::worker::work::WorkerState> =
            std::cell::RefCell::default();
    }

    /// The slice of the `File` read per `FileReaderSync` call: each call crosses into
    /// JavaScript and copies, so few and large (`cargo xtask bench browser`: 1 MiB slices
    /// spent about half the read of a 90 MB file in the calls).
    const SLICE_BYTES: usize = 8 << 20;

    /// The size of this worker's wasm linear memory, in bytes.
    fn linear_memory_bytes() -> Option<f64> {
        let memory = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()?;
        let buffer = memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok()?;
        Some(f64::from(buffer.byte_length()))
    }

    fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
        let mut reply = |mut response: Response| {
            // The worker's linear memory only grows: its size now is its peak so far.
            if let Response::Results(result) = &mut response {
                result.worker_memory_bytes = linear_memory_bytes();
            }
            post(scope, &response)
        };
        let request: Request = match serde_wasm_bindgen::from_value(data.clone()) {
            Ok(request) => request,
            Err(error) => {
                reply(Response::Failed(WorkerError::BadRequest(error.to_string())));
                return;
            }
        };
        let file = js_sys::Reflect::get(data, &JsValue::from_str("file"))
            .ok()
            .and_then(|f| f.dyn_into::<Blob>().ok());
        let source = file
            .and_then(|blob| BlobSource::new(blob).ok())
            .map(|source| std::io::BufReader::with_capacity(SLICE_BYTES, source));
        let map = js_sys::Reflect::get(data, &JsValue::from_str("map"))
            .ok()
            .and_then(|f| f.dyn_into::<Blob>().ok())
            .and_then(|blob| BlobSource::new(blob).ok())
            .map(|source| std::io::BufReader::with_capacity(SLICE_BYTES, source));
        let mut clock = || js_sys::Date::now() / 1000.0;
        STATE.with_borrow_mut(|state| {
            kommunebench_web::worker::work::perform(
                state, &request, source, map, &mut clock, &mut reply,
            );
        });
    }

    /// A `Blob` (the user's `File`) read in slices with `FileReaderSync`: only the slice being
    /// parsed is in memory, never the whole file's text.
    struct BlobSource {
        blob: Blob,
        reader: FileReaderSync,
        position: u64,
        len: u64,
    }

    impl BlobSource {
        fn new(blob: Blob) -> Result<BlobSource, JsValue> {
            let len = blob.size() as u64;
            Ok(BlobSource {
                blob,
                reader: FileReaderSync::new()?,
                position: 0,
                len,
            })
        }
    }

    fn io_error(value: JsValue) -> std::io::Error {
        std::io::Error::other(
            value
                .as_string()
                .unwrap_or_else(|| "the browser could not read the file".to_owned()),
        )
    }

    impl Read for BlobSource {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let end = (self.position + buffer.len() as u64).min(self.len);
            if end <= self.position {
                return Ok(0);
            }
            let slice = self
                .blob
                .slice_with_f64_and_f64(self.position as f64, end as f64)
                .map_err(io_error)?;
            let buffer_read = self.reader.read_as_array_buffer(&slice).map_err(io_error)?;
            let bytes = js_sys::Uint8Array::new(&buffer_read);
            let n = bytes.length() as usize;
            bytes.copy_to(&mut buffer[..n]);
            self.position += n as u64;
            Ok(n)
        }
    }

    impl Seek for BlobSource {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            let target = match to {
                SeekFrom::Start(offset) => offset as i128,
                SeekFrom::End(offset) => self.len as i128 + offset as i128,
                SeekFrom::Current(offset) => self.position as i128 + offset as i128,
            };
            if target < 0 {
                return Err(std::io::Error::other("seek before the start of the file"));
            }
            self.position = target as u64;
            Ok(self.position)
        }
    }
}
