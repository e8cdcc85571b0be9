//! The server's one error type: each variant maps to a status, a stable code and a page in the
//! citizen's language; unexpected errors become 500 with the cause logged, never sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use minyi_questionnaire::Lang;

use crate::citizen::pages;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("unknown campaign")]
    UnknownCampaign(Lang),
    #[error("unknown unit for this campaign")]
    UnknownUnit(Lang),
    #[error("campaign closed")]
    CampaignClosed(Lang),
    #[error("campaign not yet open")]
    NotYetOpen(Lang),
    #[error("request body too large")]
    TooLarge(Lang),
    #[error("the request body stopped arriving")]
    SlowBody(Lang),
    #[error("malformed request body: {1}")]
    BadBody(Lang, String),
    #[error("unknown case code")]
    CaseCodeUnknown(Lang),
    #[error("case code already used")]
    CaseCodeUsed(Lang),
    #[error("the unit's quota is full")]
    QuotaFull(Lang),
    #[error("this device already answered for this unit")]
    DeviceRepeat(Lang),
    #[error("too many submissions from this address or network")]
    RateLimited(Lang, u64),
    #[error("not signed in")]
    NotSignedIn,
    #[error("the signed-in role may not do this")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    CsrfMismatch,
    #[error("too many failed sign-ins")]
    Throttled,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// The stable code a client or test can rely on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::UnknownCampaign(_) => "unknown_campaign",
            AppError::UnknownUnit(_) => "unknown_unit",
            AppError::CampaignClosed(_) => "campaign_closed",
            AppError::NotYetOpen(_) => "campaign_not_open",
            AppError::TooLarge(_) => "body_too_large",
            AppError::SlowBody(_) => "body_timeout",
            AppError::BadBody(..) => "malformed_body",
            AppError::CaseCodeUnknown(_) => "case_code_unknown",
            AppError::CaseCodeUsed(_) => "case_code_used",
            AppError::QuotaFull(_) => "quota_full",
            AppError::DeviceRepeat(_) => "device_repeat",
            AppError::RateLimited(..) => "rate_limited",
            AppError::NotSignedIn => "not_signed_in",
            AppError::Forbidden => "forbidden",
            AppError::CsrfMismatch => "csrf_mismatch",
            AppError::Throttled => "too_many_attempts",
            AppError::Unexpected(_) => "internal",
        }
    }

    fn lang(&self) -> Lang {
        match self {
            AppError::UnknownCampaign(l)
            | AppError::UnknownUnit(l)
            | AppError::CampaignClosed(l)
            | AppError::NotYetOpen(l)
            | AppError::TooLarge(l)
            | AppError::SlowBody(l)
            | AppError::BadBody(l, _)
            | AppError::CaseCodeUnknown(l)
            | AppError::CaseCodeUsed(l)
            | AppError::QuotaFull(l)
            | AppError::DeviceRepeat(l)
            | AppError::RateLimited(l, _) => *l,
            _ => Lang::Zh,
        }
    }
}

impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        AppError::Unexpected(anyhow::Error::new(e))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl AppError {
    /// The error as the JSON API sends it: `{"error": {"code", "message"}}`.
    pub fn json_response(&self) -> HttpResponse {
        if let AppError::Unexpected(cause) = self {
            tracing::error!(error = ?cause, "unexpected error");
        }
        let (title, line) = pages::message(self.lang(), self.code());
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "error": { "code": self.code(), "message": format!("{title}：{line}") }
        }))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::UnknownCampaign(_) | AppError::UnknownUnit(_) => StatusCode::NOT_FOUND,
            AppError::CampaignClosed(_) => StatusCode::GONE,
            AppError::NotYetOpen(_) => StatusCode::FORBIDDEN,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::SlowBody(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::BadBody(..) => StatusCode::BAD_REQUEST,
            AppError::CaseCodeUnknown(_) => StatusCode::NOT_FOUND,
            AppError::CaseCodeUsed(_) | AppError::QuotaFull(_) | AppError::DeviceRepeat(_) => {
                StatusCode::CONFLICT
            }
            AppError::RateLimited(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfMismatch => StatusCode::FORBIDDEN,
            AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(cause) = self {
            tracing::error!(error = ?cause, "unexpected error");
        }
        let mut response = HttpResponse::build(self.status_code());
        if let AppError::RateLimited(_, seconds) = self {
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        response
            .insert_header(("X-Minyi-Error", self.code()))
            .content_type("text/html; charset=utf-8")
            .body(pages::error_page(self.lang(), self.code()).into_string())
    }
}
