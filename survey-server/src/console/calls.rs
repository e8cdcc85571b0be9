//! The interviewer's pages (being written).

use actix_web::{web, HttpResponse};

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::startup::AppState;

pub async fn queue(
    _state: web::Data<AppState>,
    _user: CurrentUser,
    _slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))
}

pub async fn next(
    _state: web::Data<AppState>,
    _user: CurrentUser,
    _slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))
}

pub async fn case(
    _state: web::Data<AppState>,
    _user: CurrentUser,
    _path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))
}

pub async fn outcome(
    _state: web::Data<AppState>,
    _user: CurrentUser,
    _path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))
}

pub async fn interview(
    _state: web::Data<AppState>,
    _user: CurrentUser,
    _path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))
}
