//! Distribution: a QR code per campaign × unit × site (PNG, SVG), printable A4 posters, and
//! one zip with every code of a campaign.

use std::io::Write;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, PreEscaped, DOCTYPE};
use serde::Deserialize;

use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, CampaignContext};
use crate::error::AppError;
use crate::qr;
use crate::startup::AppState;

#[derive(Debug, Deserialize)]
pub struct QrQuery {
    pub unit: String,
    pub site: Option<String>,
    pub format: Option<String>,
}

async fn context(state: &AppState, slug: String) -> Result<CampaignContext, AppError> {
    let pool = state.pool.clone();
    web::block(move || campaigns::load_context(&mut *pool.get()?, &slug))
        .await??
        .ok_or(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))
}

/// The public address links start with: the configured `public_url`, else this request's.
pub fn base_url(state: &AppState, req: &HttpRequest) -> String {
    if state.public_url.is_empty() {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    } else {
        state.public_url.clone()
    }
}

fn link(state: &AppState, base: &str, slug: &str, unit: &str, site: &str) -> String {
    qr::form_link(
        base,
        slug,
        unit,
        site,
        &state.signer.link_tag(slug, unit, site),
    )
}

pub async fn code(
    state: web::Data<AppState>,
    _user: CurrentUser,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<QrQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let ctx = context(&state, slug.clone()).await?;
    let unit = ctx
        .units
        .iter()
        .find(|u| u.code == query.unit)
        .ok_or(AppError::UnknownUnit(minyi_questionnaire::Lang::Zh))?;
    let site = query.site.clone().unwrap_or_default();
    if !site.is_empty() && !ctx.sites.iter().any(|s| s.code == site) {
        return Err(AppError::BadBody(
            minyi_questionnaire::Lang::Zh,
            format!("unknown site {site:?}"),
        ));
    }
    let link = link(&state, &base_url(&state, &req), &slug, &unit.code, &site);
    let name = format!(
        "{slug}-{}-{}",
        unit.code,
        if site.is_empty() { "any" } else { &site }
    );
    let (content_type, ext, body) = match query.format.as_deref().unwrap_or("png") {
        "svg" => (
            "image/svg+xml",
            "svg",
            qr::svg(&link).map_err(anyhow::Error::from)?.into_bytes(),
        ),
        _ => (
            "image/png",
            "png",
            qr::png(&link).map_err(anyhow::Error::from)?,
        ),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}.{ext}\""),
        ))
        .insert_header(("X-Minyi-Link", link))
        .body(body))
}

/// Every unit × site of the campaign (and each unit without a site).
fn placements(ctx: &CampaignContext) -> Vec<(usize, usize)> {
    let sites = ctx.sites.len().max(1);
    (0..ctx.units.len())
        .flat_map(|u| (0..sites).map(move |s| (u, s)))
        .collect()
}

fn posters_html(state: &AppState, ctx: &CampaignContext, base: &str) -> Result<String, AppError> {
    let slug = &ctx.campaign.slug;
    let mut posters = Vec::new();
    for (u, s) in placements(ctx) {
        let unit = &ctx.units[u];
        let site = ctx.sites.get(s);
        let link = link(
            state,
            base,
            slug,
            &unit.code,
            site.map_or("", |s| s.code.as_str()),
        );
        posters.push((
            unit,
            site,
            link.clone(),
            qr::svg(&link).map_err(anyhow::Error::from)?,
        ));
    }
    let css = "@page{size:A4;margin:15mm}body{margin:0;font-family:system-ui,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif}\
        .p{page-break-after:always;break-after:page;text-align:center;padding:10mm 0}\
        h1{font-size:30pt;margin:0 0 6mm}h2{font-size:20pt;font-weight:normal;margin:0 0 8mm}\
        .q svg{width:110mm;height:110mm}.i{font-size:16pt;margin:8mm 10mm}.s{font-size:10pt;color:#444;margin:4mm 15mm}\
        .l{font-family:monospace;font-size:8pt;color:#666;word-break:break-all}";
    Ok(html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head { meta charset="utf-8"; title { (ctx.campaign.label_zh) " 二维码海报" } style { (PreEscaped(css)) } }
            body {
                @for (unit, site, link, svg) in &posters {
                    section class="p" {
                        h1 { "行政执法群众满意度调查" }
                        h2 { (unit.name_zh) @if let Some(site) = site { " · " (site.name_zh) } }
                        div class="q" { (PreEscaped(svg)) }
                        p class="i" { "请用手机扫描二维码，对本单位的行政执法工作进行评价。匿名填写，约需 4 分钟。" }
                        p class="s" { "本调查由第三方机构组织，不收集姓名、电话等个人信息，也不保存您的 IP 地址。" }
                        p class="l" { (link) }
                    }
                }
            }
        }
    }
    .into_string())
}

pub async fn posters(
    state: web::Data<AppState>,
    _user: CurrentUser,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&state, slug.into_inner()).await?;
    let page = posters_html(&state, &ctx, &base_url(&state, &req))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page))
}

/// One zip: a PNG and an SVG per placement, the posters page, and `links.csv`.
pub async fn archive(
    state: web::Data<AppState>,
    _user: CurrentUser,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&state, slug.into_inner()).await?;
    let base = base_url(&state, &req);
    let slug = ctx.campaign.slug.clone();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut links = String::from("unit,site,link\n");
    let failed = |e: zip::result::ZipError| AppError::Unexpected(e.into());
    for (u, s) in placements(&ctx) {
        let unit = &ctx.units[u];
        let site = ctx.sites.get(s).map_or("", |s| s.code.as_str());
        let link = link(&state, &base, &slug, &unit.code, site);
        let name = format!(
            "{}-{}",
            unit.code,
            if site.is_empty() { "any" } else { site }
        );
        zip.start_file(format!("{name}.png"), options)
            .map_err(failed)?;
        zip.write_all(&qr::png(&link).map_err(anyhow::Error::from)?)
            .map_err(anyhow::Error::from)?;
        zip.start_file(format!("{name}.svg"), options)
            .map_err(failed)?;
        zip.write_all(qr::svg(&link).map_err(anyhow::Error::from)?.as_bytes())
            .map_err(anyhow::Error::from)?;
        links.push_str(&format!("{},{site},{link}\n", unit.code));
    }
    zip.start_file("links.csv", options).map_err(failed)?;
    zip.write_all(links.as_bytes())
        .map_err(anyhow::Error::from)?;
    zip.start_file("posters.html", options).map_err(failed)?;
    zip.write_all(posters_html(&state, &ctx, &base)?.as_bytes())
        .map_err(anyhow::Error::from)?;
    let bytes = zip.finish().map_err(failed)?.into_inner();
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{slug}-qr.zip\""),
        ))
        .body(bytes))
}
