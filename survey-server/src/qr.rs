//! QR codes of form links, as PNG and SVG, error correction level M (15% of the code may be
//! damaged or dirty — posters hang outdoors in the mountains).

use image::{ImageFormat, Luma};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the link is too long for a QR code")]
    TooLong(#[from] qrcode::types::QrError),
    #[error("the PNG could not be written: {0}")]
    Png(#[from] image::ImageError),
}

/// A generated form link for campaign × unit × site, carrying the signed source tag.
pub fn form_link(base: &str, campaign: &str, unit: &str, site: &str, tag: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !site.is_empty() {
        query.append_pair("site", site);
    }
    query.append_pair("src", tag);
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!("/{unit}")
    };
    format!(
        "{}/s/{campaign}{unit}?{}",
        base.trim_end_matches('/'),
        query.finish()
    )
}

fn code(link: &str) -> Result<QrCode, QrError> {
    Ok(QrCode::with_error_correction_level(
        link.as_bytes(),
        EcLevel::M,
    )?)
}

/// A PNG with a quiet zone, 10 pixels a module: sharp when printed at A4 poster size.
pub fn png(link: &str) -> Result<Vec<u8>, QrError> {
    let image = code(link)?
        .render::<Luma<u8>>()
        .module_dimensions(10, 10)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// An SVG that scales to any size.
pub fn svg(link: &str) -> Result<String, QrError> {
    Ok(code(link)?
        .render()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_site_and_tag() {
        assert_eq!(
            form_link("https://x.cn/", "2025-final", "market", "hall", "TAG"),
            "https://x.cn/s/2025-final/market?site=hall&src=TAG"
        );
        assert_eq!(
            form_link("http://h", "w", "", "", "T"),
            "http://h/s/w?src=T"
        );
    }

    #[test]
    fn renders_png_and_svg() {
        let png = png("http://127.0.0.1:8080/s/2025-final/market?site=hall&src=abc").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let svg = svg("http://127.0.0.1:8080/s/2025-final/market").unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"));
        assert!(matches!(
            super::png(&"x".repeat(5000)),
            Err(QrError::TooLong(_))
        ));
    }
}
