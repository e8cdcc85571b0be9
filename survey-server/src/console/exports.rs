//! Export downloads for evaluators: CSV (streamed), XLSX, the codebook and the bundle.
//! Each download is recorded in the audit log.

use std::io::Read;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use serde::Deserialize;

use crate::auth::session::CurrentUser;
use crate::db::accounts;
use crate::db::campaigns::{self, CampaignContext};
use crate::error::AppError;
use crate::export::{bundle, csv_stream, parquet, table::Layout, xlsx};
use crate::startup::AppState;

#[derive(Debug, Deserialize)]
pub struct CsvQuery {
    /// `1` for Chinese value labels instead of codes.
    pub labels: Option<String>,
}

async fn prepare(
    state: &AppState,
    user: &CurrentUser,
    slug: String,
    what: &str,
) -> Result<
    (
        CampaignContext,
        Arc<minyi_questionnaire::Questionnaire>,
        Arc<Layout>,
    ),
    AppError,
> {
    let pool = state.pool.clone();
    let (actor, action, target) = (
        user.username.clone(),
        format!("export.{what}"),
        slug.clone(),
    );
    let ctx = web::block(move || -> Result<_, crate::db::DbError> {
        let mut conn = pool.get()?;
        let ctx = campaigns::load_context(&mut conn, &slug)?;
        if ctx.is_some() {
            accounts::audit(&mut conn, &actor, &action, &target)?;
        }
        Ok(ctx)
    })
    .await??
    .ok_or(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))?;
    let q = state.questionnaire(&ctx.questionnaire)?;
    let layout = Arc::new(Layout::new(&ctx, &q));
    Ok((ctx, q, layout))
}

fn attachment(name: String, content_type: &str) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

pub async fn responses_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    query: web::Query<CsvQuery>,
) -> Result<HttpResponse, AppError> {
    let (ctx, _, layout) = prepare(&state, &user, slug.into_inner(), "csv").await?;
    let labels = query.labels.as_deref() == Some("1");
    let stream = csv_stream::stream(state.pool.clone(), ctx.campaign.id, layout, labels);
    Ok(attachment(
        format!("{}-responses.csv", ctx.campaign.slug),
        "text/csv; charset=utf-8",
    )
    .streaming(stream))
}

pub async fn codebook_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ctx, _, layout) = prepare(&state, &user, slug.into_inner(), "codebook").await?;
    let mut out = Vec::from(csv_stream::BOM);
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        for row in layout.codebook() {
            writer.write_record(&row).map_err(anyhow::Error::from)?;
        }
        writer.flush().map_err(anyhow::Error::from)?;
    }
    Ok(attachment(
        format!("{}-codebook.csv", ctx.campaign.slug),
        "text/csv; charset=utf-8",
    )
    .body(out))
}

pub async fn responses_xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ctx, _, layout) = prepare(&state, &user, slug.into_inner(), "xlsx").await?;
    let (pool, id) = (state.pool.clone(), ctx.campaign.id);
    let file = web::block(move || -> anyhow::Result<tempfile::NamedTempFile> {
        let file = tempfile::NamedTempFile::new()?;
        xlsx::write(&pool, id, &layout, file.path())?;
        Ok(file)
    })
    .await??;
    let name = format!("{}-responses.xlsx", ctx.campaign.slug);
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(attachment(name, kind).streaming(file_stream(file)?))
}

pub async fn responses_parquet(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ctx, _, layout) = prepare(&state, &user, slug.into_inner(), "parquet").await?;
    let (pool, id) = (state.pool.clone(), ctx.campaign.id);
    let file = web::block(move || -> anyhow::Result<tempfile::NamedTempFile> {
        let file = tempfile::NamedTempFile::new()?;
        parquet::write(&pool, id, &layout, file.path())?;
        Ok(file)
    })
    .await??;
    let name = format!("{}-responses.parquet", ctx.campaign.slug);
    Ok(attachment(name, "application/vnd.apache.parquet").streaming(file_stream(file)?))
}

pub async fn bundle_zip(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ctx, q, layout) = prepare(&state, &user, slug.into_inner(), "bundle").await?;
    let (pool, keys) = (state.pool.clone(), state.keys.clone());
    let (sealing, anonymity) = (state.fieldwork.clone(), state.anonymity.clone());
    let name = format!("{}-bundle.zip", ctx.campaign.slug);
    let file = web::block(move || -> anyhow::Result<tempfile::NamedTempFile> {
        let file = tempfile::NamedTempFile::new()?;
        let fieldwork = crate::fieldwork::status::load(
            &mut *pool.get()?,
            &sealing,
            &anonymity,
            ctx.campaign.id,
        )?;
        let dispositions = fieldwork
            .as_ref()
            .map(|f| crate::fieldwork::dispositions::csv(&ctx, f));
        bundle::write(
            &pool,
            keys.signing_key(),
            &ctx,
            &q,
            &layout,
            dispositions,
            file.path(),
        )?;
        Ok(file)
    })
    .await??;
    Ok(attachment(name, "application/zip").streaming(file_stream(file)?))
}

/// Streams a temporary file in 64 KiB chunks; the file is deleted when the stream ends.
fn file_stream(
    file: tempfile::NamedTempFile,
) -> Result<impl futures::Stream<Item = Result<Bytes, actix_web::Error>>, AppError> {
    let reader = file.reopen().map_err(anyhow::Error::from)?;
    let state = Some((reader, file));
    Ok(futures::stream::unfold(state, |state| async move {
        let (mut reader, guard) = state?;
        let read = web::block(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = reader.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((buf, reader))
        })
        .await;
        match read {
            Ok(Ok((buf, _))) if buf.is_empty() => None,
            Ok(Ok((buf, reader))) => Some((Ok(Bytes::from(buf)), Some((reader, guard)))),
            Ok(Err(e)) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            Err(e) => Some((Err(e.into()), None)),
        }
    }))
}
