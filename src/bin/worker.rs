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
    use std::cell::RefCell;
    use std::io::{Read, Seek, SeekFrom};
    use std::rc::Rc;

    use kommunebench_web::worker::protocol::{Action, Request, Response, WorkerError};
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

    thread_local! {
        /// Whether the worker has run `work::warm_up`.
        static WARM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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
        let kept = matches!(request.action, Action::Inspect | Action::Analyse)
            .then(|| kept_bytes(request.file_id))
            .flatten();
        let source = file
            .and_then(|blob| BlobSource::new(blob, kept).ok())
            .map(|source| std::io::BufReader::with_capacity(SLICE_BYTES, source));
        let map = js_sys::Reflect::get(data, &JsValue::from_str("map"))
            .ok()
            .and_then(|f| f.dyn_into::<Blob>().ok())
            .and_then(|blob| BlobSource::new(blob, None).ok())
            .map(|source| std::io::BufReader::with_capacity(SLICE_BYTES, source));
        let mut clock = || js_sys::Date::now() / 1000.0;
        STATE.with_borrow_mut(|state| {
            kommunebench_web::worker::work::perform(
                state, &request, source, map, &mut clock, &mut reply,
            );
        });
        // Once, after the first file's columns have gone to the page: the next request waits
        // for it, so it runs while the officer looks at the columns (`work::warm_up` says
        // why). An analysis has warmed the code itself.
        if request.action == Action::Inspect && !WARM.replace(true) {
            let _ = kommunebench_web::worker::work::warm_up(&|bytes: Vec<u8>| {
                let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
                let blob = Blob::new_with_u8_array_sequence(&parts).ok()?;
                let source = BlobSource::new(blob, Some(Rc::default())).ok()?;
                Some(std::io::BufReader::with_capacity(SLICE_BYTES, source))
            });
        }
    }

    /// The bytes of a file, shared between the requests that read it.
    type Kept = Rc<RefCell<Vec<u8>>>;

    thread_local! {
        /// The chosen spell file's bytes, as far as they have been read, by the page's number
        /// for it (`Request::file_id`).
        static KEPT_FILE: RefCell<Option<(u64, Kept)>> = const { RefCell::new(None) };
    }

    /// The largest file kept in memory: the 1 M-spell file of `cargo xtask bench browser`
    /// (90 MB) is; the worker's memory then peaks near 270 MB.
    const KEPT_BYTES: f64 = (128u64 << 20) as f64;

    /// Where to keep the bytes of file `file_id` (0: none): those kept for it, or a new
    /// buffer in place of another file's.
    fn kept_bytes(file_id: u64) -> Option<Kept> {
        (file_id != 0).then(|| {
            KEPT_FILE.with_borrow_mut(|kept| match kept {
                Some((id, bytes)) if *id == file_id => bytes.clone(),
                _ => {
                    // The other file's bytes go first.
                    *kept = None;
                    let bytes = Kept::default();
                    *kept = Some((file_id, bytes.clone()));
                    bytes
                }
            })
        })
    }

    /// A `Blob` (the user's `File`) read in slices with `FileReaderSync`.
    ///
    /// The chosen spell file, if at most [`KEPT_BYTES`], is kept in memory as it is first
    /// read (`kept`), and read from there afterwards: the columns step reads all of it (its
    /// encoding) and an analysis twice (MODEL.md §6's checks need two passes), and
    /// `FileReaderSync` spent 0.68 s of the 1 M-spell file's 1.3 s read on reading its 90 MB
    /// twice (a Chromium CPU profile, BENCHMARKS.md). A larger file is read each time, and
    /// only the slice being parsed is in memory.
    struct BlobSource {
        blob: Blob,
        reader: FileReaderSync,
        position: u64,
        len: u64,
        kept: Option<Kept>,
    }

    impl BlobSource {
        fn new(blob: Blob, kept: Option<Kept>) -> Result<BlobSource, JsValue> {
            let size = blob.size();
            let kept = kept.filter(|_| size <= KEPT_BYTES);
            if let Some(bytes) = &kept {
                // Reserved at once: growing by doubling would need twice the file for a moment.
                let mut bytes = bytes.borrow_mut();
                let missing = (size as usize).saturating_sub(bytes.len());
                bytes.reserve_exact(missing);
            }
            Ok(BlobSource {
                blob,
                reader: FileReaderSync::new()?,
                position: 0,
                len: size as u64,
                kept,
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
            let start = self.position as usize;
            if let Some(kept) = &self.kept {
                let kept = kept.borrow();
                if start < kept.len() {
                    let n = (kept.len() - start).min(buffer.len());
                    buffer[..n].copy_from_slice(&kept[start..start + n]);
                    self.position += n as u64;
                    return Ok(n);
                }
            }
            let slice = self
                .blob
                .slice_with_f64_and_f64(self.position as f64, end as f64)
                .map_err(io_error)?;
            let buffer_read = self.reader.read_as_array_buffer(&slice).map_err(io_error)?;
            let bytes = js_sys::Uint8Array::new(&buffer_read);
            let n = bytes.length() as usize;
            bytes.copy_to(&mut buffer[..n]);
            // Here `start` ≥ what is kept: keep the new bytes if they follow on.
            if let Some(kept) = &self.kept {
                let mut kept = kept.borrow_mut();
                if kept.len() == start {
                    kept.extend_from_slice(&buffer[..n]);
                }
            }
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
