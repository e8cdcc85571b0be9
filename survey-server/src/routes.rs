//! The route table: every route and its guard, at a glance.

use actix_web::error::{QueryPayloadError, UrlencodedError};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};
use minyi_questionnaire::Lang;

use crate::api;
use crate::auth::guard::require_role;
use crate::auth::Access;
use crate::citizen::{self, pages};
use crate::console;
use crate::error::AppError;

/// The public API routes (the citizen's side), for the OpenAPI test.
pub const PUBLIC_API_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/openapi.json"),
    ("get", "/api/v1/campaigns/{slug}/form"),
    ("post", "/api/v1/campaigns/{slug}/responses"),
    ("get", "/api/v1/campaigns/{slug}/log/head"),
    ("get", "/api/v1/campaigns/{slug}/log/heads"),
    ("get", "/api/v1/campaigns/{slug}/log/consistency"),
];

/// Declares the console routes once: the table the route test walks and the registration,
/// each route wrapped in the role guard with the least role it needs. `[body N]` raises a
/// route's request body limit (the guard reads the body for its CSRF token within it).
macro_rules! console_routes {
    ($($method:ident $path:literal $role:ident => $handler:path $([body $limit:expr])?;)*) => {
        /// Every console route: (method, path, least role).
        pub const CONSOLE_ROUTES: &[(&str, &str, Access)] =
            &[$((stringify!($method), $path, Access::$role)),*];

        fn console_routes(cfg: &mut web::ServiceConfig) {
            $(cfg.service(
                web::resource($path)
                    // A guard on the resource lets one path have a GET and a POST resource.
                    .guard(method_guard(stringify!($method)))
                    $(.app_data(web::PayloadConfig::default().limit($limit)))?
                    .wrap(from_fn(|req, next| require_role(Access::$role, req, next)))
                    .route(web::$method().to($handler)),
            );)*
        }
    };
}

console_routes! {
    get "/console" Staff => console::home;
    post "/console/logout" Staff => console::logout;
    get "/console/campaigns/new" Admin => console::new_campaign::show;
    post "/console/campaigns" Admin => console::new_campaign::create;
    get "/console/campaigns/{slug}" Viewer => console::campaign;
    get "/console/campaigns/{slug}/plan" Viewer => console::plan::show;
    post "/console/campaigns/{slug}/plan" Admin => console::plan::save;
    get "/console/campaigns/{slug}/report" Viewer => console::report::html;
    get "/console/campaigns/{slug}/report.pdf" Viewer => console::report::pdf;
    post "/console/campaigns/{slug}/report" Evaluator => console::report::upload [body crate::report::UPLOAD_MAX_BYTES];
    get "/console/campaigns/{slug}/progress" Viewer => console::progress::show;
    get "/console/campaigns/{slug}/progress.json" Viewer => console::progress::json;
    post "/console/campaigns/{slug}/open" Admin => console::open_campaign;
    post "/console/campaigns/{slug}/close" Admin => console::close_campaign;
    get "/console/audit" Admin => console::audit_log;
    get "/console/units" Admin => console::units::list;
    post "/console/units" Admin => console::units::save;
    get "/api/v1/campaigns" Viewer => api::list_campaigns;
    get "/api/v1/campaigns/{slug}/progress" Viewer => console::progress::json;
    get "/api/v1/campaigns/{slug}/quality" Evaluator => console::quality::json;
    post "/api/v1/campaigns/{slug}/status" Admin => api::set_status;
    post "/api/v1/campaigns" Admin => api::console::create_campaign;
    get "/api/v1/campaigns/{slug}/plan" Viewer => api::console::get_plan;
    post "/api/v1/campaigns/{slug}/plan" Admin => api::console::save_plan;
    post "/api/v1/campaigns/{slug}/case-codes" Admin => api::console::case_codes;
    get "/api/v1/audit" Admin => api::console::audit;
    get "/console/campaigns/{slug}/qr" Admin => console::qr::code;
    get "/console/campaigns/{slug}/posters" Admin => console::qr::posters;
    get "/console/campaigns/{slug}/qr.zip" Admin => console::qr::archive;
    post "/console/campaigns/{slug}/case-codes" Admin => console::case_codes::create;
    get "/console/campaigns/{slug}/export/responses.csv" Evaluator => console::exports::responses_csv;
    get "/console/campaigns/{slug}/export/responses.xlsx" Evaluator => console::exports::responses_xlsx;
    get "/console/campaigns/{slug}/export/responses.parquet" Evaluator => console::exports::responses_parquet;
    get "/console/campaigns/{slug}/export/codebook.csv" Evaluator => console::exports::codebook_csv;
    get "/console/campaigns/{slug}/export/bundle.zip" Evaluator => console::exports::bundle_zip;
    get "/console/campaigns/{slug}/fieldwork" Evaluator => console::fieldwork::show;
    post "/console/campaigns/{slug}/fieldwork/frame" Admin => console::fieldwork::import_frame [body crate::console::fieldwork::FRAME_UPLOAD_MAX_BYTES];
    post "/console/campaigns/{slug}/fieldwork/draw" Evaluator => console::fieldwork::draw;
    post "/console/campaigns/{slug}/fieldwork/release" Evaluator => console::fieldwork::release;
    post "/console/campaigns/{slug}/fieldwork/settings" Evaluator => console::fieldwork::save_settings;
    post "/console/campaigns/{slug}/fieldwork/outbox.csv" Evaluator => console::fieldwork::outbox;
    post "/console/campaigns/{slug}/fieldwork/send" Evaluator => console::fieldwork::send;
    get "/console/campaigns/{slug}/fieldwork/dispositions.csv" Evaluator => console::fieldwork::dispositions_csv;
    get "/api/v1/campaigns/{slug}/fieldwork" Viewer => console::fieldwork::json;
    post "/console/campaigns/{slug}/fieldwork/verification" Evaluator => console::fieldwork::pick_verifications;
    post "/console/campaigns/{slug}/fieldwork/quarantine" Evaluator => console::fieldwork::quarantine;
    get "/console/campaigns/{slug}/verify" Interviewer => console::verify::list;
    get "/console/campaigns/{slug}/verify/{case}" Interviewer => console::verify::show;
    post "/console/campaigns/{slug}/verify/{case}" Interviewer => console::verify::record;
    get "/console/campaigns/{slug}/calls" Interviewer => console::calls::queue;
    post "/console/campaigns/{slug}/calls/next" Interviewer => console::calls::next;
    get "/console/campaigns/{slug}/calls/{case}" Interviewer => console::calls::case;
    post "/console/campaigns/{slug}/calls/{case}/outcome" Interviewer => console::calls::outcome;
    post "/console/campaigns/{slug}/calls/{case}/interview" Interviewer => console::calls::interview;
}

fn method_guard(name: &str) -> impl actix_web::guard::Guard {
    let method = actix_web::http::Method::from_bytes(name.to_uppercase().as_bytes())
        .expect("an HTTP method");
    actix_web::guard::Method(method)
}

pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(
        web::FormConfig::default()
            .limit(max_body_bytes)
            .error_handler(form_error),
    )
    .app_data(web::QueryConfig::default().error_handler(query_error))
    .app_data(web::PayloadConfig::default().limit(max_body_bytes))
    .app_data(
        web::JsonConfig::default()
            .limit(max_body_bytes)
            .error_handler(api::json_error),
    )
    .route("/healthz", web::get().to(healthz))
    .route("/api/openapi.json", web::get().to(api::openapi))
    .route("/api/v1/campaigns/{slug}/form", web::get().to(api::form))
    .route(
        "/api/v1/campaigns/{slug}/responses",
        web::post().to(api::submit),
    )
    .route(
        "/api/v1/campaigns/{slug}/log/head",
        web::get().to(api::log::latest_head),
    )
    .route(
        "/api/v1/campaigns/{slug}/log/heads",
        web::get().to(api::log::all_heads),
    )
    .route(
        "/api/v1/campaigns/{slug}/log/consistency",
        web::get().to(api::log::consistency),
    )
    .route("/thanks/{campaign}", web::get().to(citizen::thanks))
    .service(
        web::resource("/c/{campaign}")
            .route(web::get().to(citizen::case_entry::show))
            .route(web::post().to(citizen::case_entry::enter)),
    )
    .service(
        web::resource("/console/login")
            .route(web::get().to(console::login::login_page))
            .route(web::post().to(console::login::login)),
    )
    .configure(console_routes)
    .service(
        web::resource(["/s/{campaign}", "/s/{campaign}/{unit}"])
            .route(web::get().to(citizen::show_form))
            .route(web::post().to(citizen::submit_form)),
    )
    .default_service(web::to(not_found));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header(("X-Minyi-Error", "not_found"))
        .content_type("text/html; charset=utf-8")
        .body(pages::error_page(request_lang(&req), "not_found").into_string())
}

pub(crate) fn request_lang(req: &HttpRequest) -> Lang {
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string());
    let lang = query
        .ok()
        .and_then(|q| q.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.clone()));
    Lang::from_param(lang.as_deref())
}

fn form_error(err: UrlencodedError, req: &HttpRequest) -> actix_web::Error {
    let lang = request_lang(req);
    match err {
        UrlencodedError::Overflow { .. } => AppError::TooLarge(lang).into(),
        UrlencodedError::Payload(e) if crate::read_timeout::is_timeout(&e) => {
            AppError::SlowBody(lang).into()
        }
        other => AppError::BadBody(lang, other.to_string()).into(),
    }
}

fn query_error(err: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    AppError::BadBody(request_lang(req), format!("query string: {err}")).into()
}
