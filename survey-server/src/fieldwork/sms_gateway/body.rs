//! The request body: the template cut at its placeholders, each value escaped for the
//! content type.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::GatewayError;

/// How a value is written into the body, after the content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Escaping {
    Json,
    Form,
    Xml,
}

/// RFC 3986's unreserved characters stay; everything else, space included, is `%XX`.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Escaping {
    pub(super) fn of(content_type: &str) -> Result<Escaping, GatewayError> {
        let essence = content_type.split(';').next().unwrap_or("");
        let essence = essence.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Ok(Escaping::Json),
            "application/x-www-form-urlencoded" => Ok(Escaping::Form),
            "application/xml" | "text/xml" => Ok(Escaping::Xml),
            e if e.ends_with("+json") => Ok(Escaping::Json),
            e if e.ends_with("+xml") => Ok(Escaping::Xml),
            _ => Err(GatewayError::ContentType(format!(
                "{essence:?} is not supported: use application/json, \
                 application/x-www-form-urlencoded or application/xml"
            ))),
        }
    }

    pub(super) fn write(self, value: &str, out: &mut String) {
        match self {
            Escaping::Json => {
                let quoted = serde_json::Value::from(value).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
            }
            Escaping::Form => out.extend(utf8_percent_encode(value, FORM_VALUE)),
            Escaping::Xml => {
                for c in value.chars() {
                    match c {
                        '&' => out.push_str("&amp;"),
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        '"' => out.push_str("&quot;"),
                        '\'' => out.push_str("&apos;"),
                        c => out.push(c),
                    }
                }
            }
        }
    }
}

/// The body template cut at its placeholders.
#[derive(Debug, Clone)]
pub(super) struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Phone,
    Text,
}

impl Template {
    pub(super) fn parse(template: &str, escaping: Escaping) -> Result<Template, GatewayError> {
        let refused = |why: String| GatewayError::BodyTemplate(why);
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            pieces.push(Piece::Literal(rest[..open].to_owned()));
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| refused("a \"{{\" has no \"}}\" after it".into()))?;
            pieces.push(match after[..close].trim() {
                "phone" => Piece::Phone,
                "text" => Piece::Text,
                other => {
                    return Err(refused(format!(
                        "{{{{{other}}}}} is not a placeholder: use {{{{phone}}}} and {{{{text}}}}"
                    )))
                }
            });
            rest = &after[close + 2..];
        }
        pieces.push(Piece::Literal(rest.to_owned()));
        for (piece, name) in [(Piece::Phone, "phone"), (Piece::Text, "text")] {
            if !pieces.contains(&piece) {
                return Err(refused(format!("has no {{{{{name}}}}}")));
            }
        }
        let template = Template(pieces);
        if escaping == Escaping::Json {
            let sample = template.render("13800000000", "\"示例\"\n\\", escaping);
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&sample) {
                return Err(refused(format!(
                    "is not JSON once {{{{phone}}}} and {{{{text}}}} are filled in ({e}): put \
                     each inside quotes, as in {{\"mobile\":\"{{{{phone}}}}\",\"content\":\"{{{{text}}}}\"}}"
                )));
            }
        }
        Ok(template)
    }

    pub(super) fn render(&self, phone: &str, text: &str, escaping: Escaping) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Literal(literal) => out.push_str(literal),
                Piece::Phone => escaping.write(phone, &mut out),
                Piece::Text => escaping.write(text, &mut out),
            }
        }
        out
    }
}
