//! The bare handler of the submit benchmarks as a server of its own: actix-web with the same
//! configuration as the bare handler in `benches/submit.rs` (default workers; a POST to the
//! form's path reads the body and answers 204; `/healthz` answers 200). The external-load
//! benchmark (`benches/submit_wrk.rs`) runs it as a separate process, as it runs the real
//! `survey-server serve`.
//!
//!     cargo build --release -p survey-server --example bare_server
//!     target/release/examples/bare_server 127.0.0.1:0
//!
//! It prints `listening on http://ADDRESS` (the port the system chose, for `:0`) once bound.

use std::io::Write;

use actix_web::{web, App, HttpResponse, HttpServer};

fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(|| {
            App::new()
                .route("/healthz", web::get().to(HttpResponse::Ok))
                .route(
                    "/s/{campaign}/{unit}",
                    web::post()
                        .to(|_body: web::Bytes| async { HttpResponse::NoContent().finish() }),
                )
        })
        .bind(address.as_str())?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{}", server.addrs()[0])?;
        out.flush()?;
        drop(out);
        server.run().await
    })
}
