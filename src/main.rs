//! The web app's entry point: mount the App, nothing else.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kommunebench_web::App);
}
