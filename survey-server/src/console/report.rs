//! A campaign's assessment report: the evaluator publishes it (an upload of the batch
//! folder's files), any signed-in viewer opens the latest or an earlier one.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use futures::StreamExt;
use minyi_questionnaire::Lang;
use serde::Deserialize;

use super::report_view;
use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, Campaign};
use crate::db::{reports, DbError};
use crate::error::AppError;
use crate::report::{ReportError, ReportFile, ReportFiles, UPLOAD_MAX_BYTES};
use crate::startup::AppState;

/// The report is the analysis's file, served as published: it may show itself (inline styles,
/// `data:` images) and nothing else — no script, no request, no form, no frame around it, and
/// as a sandboxed document of no origin. Stricter than the console's own pages.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'; sandbox";

/// `?id=N` opens an earlier publication; without it, the latest.
#[derive(Debug, Deserialize)]
pub struct Which {
    pub id: Option<i32>,
}

#[tracing::instrument(skip(state, user))]
pub async fn html(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    which: web::Query<Which>,
) -> Result<HttpResponse, AppError> {
    let id = which.id;
    let (campaign, html) = fetch(&state, slug.into_inner(), move |conn, campaign_id| {
        reports::html(conn, campaign_id, id)
    })
    .await?;
    Ok(match html {
        Some(html) => file_response(
            "text/html; charset=utf-8",
            (header::CONTENT_SECURITY_POLICY, REPORT_CSP.into()),
            html,
        ),
        None => report_view::none(&user, &campaign, id.is_some()),
    })
}

#[tracing::instrument(skip(state, user))]
pub async fn pdf(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    which: web::Query<Which>,
) -> Result<HttpResponse, AppError> {
    let id = which.id;
    let (campaign, pdf) = fetch(&state, slug.into_inner(), move |conn, campaign_id| {
        reports::pdf(conn, campaign_id, id)
    })
    .await?;
    Ok(match pdf {
        Some(Some(pdf)) => file_response(
            "application/pdf",
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}-report.pdf\"", campaign.slug),
            ),
            pdf,
        ),
        Some(None) => report_view::no_pdf(&user, &campaign),
        None => report_view::none(&user, &campaign, id.is_some()),
    })
}

/// Publishes an uploaded report as the campaign's latest. Every file is read and checked
/// first; a refusal names the file and stores nothing.
#[tracing::instrument(skip(state, user, form))]
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let (campaign, ()) = fetch(&state, slug.into_inner(), |_, _| Ok(())).await?;
    let report = match read_upload(form).await.and_then(ReportFiles::check) {
        Ok(report) => report,
        Err(refusal) => return Ok(report_view::rejected(&user, &campaign, &refusal)),
    };
    let (pool, by, target) = (state.pool.clone(), user.username.clone(), campaign.clone());
    web::block(move || reports::publish(&mut *pool.get()?, target.id, &target.slug, &report, &by))
        .await??;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/console/campaigns/{}#report", campaign.slug),
        ))
        .finish())
}

/// Reads the form's file fields within their limits; other fields (the CSRF token) are read
/// and dropped. An empty file field is a file not chosen.
async fn read_upload(mut form: Multipart) -> Result<ReportFiles, ReportError> {
    let mut files = ReportFiles::default();
    let mut total = 0;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| ReportError::BadForm(e.to_string()))?;
        let file = field.name().and_then(ReportFile::from_field);
        let limit = file.map_or(64 * 1024, ReportFile::max_bytes);
        let bytes = field
            .bytes(limit)
            .await
            .map_err(|_| file.map_or(ReportError::UploadTooLarge, ReportError::TooLarge))?
            .map_err(|e| ReportError::BadForm(e.to_string()))?;
        total += bytes.len();
        if total > UPLOAD_MAX_BYTES {
            return Err(ReportError::UploadTooLarge);
        }
        if let (Some(file), false) = (file, bytes.is_empty()) {
            files.set(file, bytes.to_vec());
        }
    }
    Ok(files)
}

/// The campaign by its slug (404 when unknown) and what `query` reads for it.
async fn fetch<T: Send + 'static>(
    state: &AppState,
    slug: String,
    query: impl FnOnce(&mut crate::db::DbConn, i32) -> Result<T, DbError> + Send + 'static,
) -> Result<(Campaign, T), AppError> {
    let pool = state.pool.clone();
    let found = web::block(move || -> Result<_, DbError> {
        let mut conn = pool.get()?;
        let Some(campaign) = campaigns::find(&mut conn, &slug)? else {
            return Ok(None);
        };
        let value = query(&mut conn, campaign.id)?;
        Ok(Some((campaign, value)))
    })
    .await??;
    found.ok_or(AppError::UnknownCampaign(Lang::Zh))
}

/// A stored file as it was published, with its one extra header. The security headers are
/// set here, not left to the app-wide defaults, so the response keeps them whatever the
/// middleware does.
fn file_response(
    content_type: &str,
    extra: (header::HeaderName, String),
    body: Vec<u8>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(extra)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body)
}
