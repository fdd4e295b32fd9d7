//! The one error type of the API and its JSON body `{"code", "description", "parameter"?}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything a handler can answer instead of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 400: a query parameter is malformed or out of range.
    BadParameter {
        /// The parameter.
        parameter: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 400: a query parameter this endpoint does not know.
    UnknownParameter {
        /// The parameter.
        parameter: String,
        /// The parameters the endpoint accepts.
        allowed: Vec<&'static str>,
    },
    /// 404: no such collection, feature or path.
    NotFound(String),
    /// 405: the method is not GET, HEAD or OPTIONS.
    MethodNotAllowed,
    /// 406: the requested format (`f`) cannot be produced.
    NotAcceptable(String),
    /// 408: producing the response took longer than the request timeout.
    Timeout,
    /// 414: the request target is longer than the limit (bytes).
    UriTooLong(usize),
    /// 503: too many requests in flight; refused at once rather than queued.
    Overloaded,
    /// 500: a bug; the details are logged, never sent.
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

impl ApiError {
    /// A 400 for `parameter`.
    pub fn bad(parameter: &str, reason: impl Into<String>) -> Self {
        ApiError::BadParameter {
            parameter: parameter.to_string(),
            reason: reason.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } | ApiError::UnknownParameter { .. } => {
                StatusCode::BAD_REQUEST
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::BadParameter { parameter, reason } => Body {
                code: "InvalidParameterValue",
                description: format!("{parameter}: {reason}"),
                parameter: Some(parameter),
            },
            ApiError::UnknownParameter { parameter, allowed } => Body {
                code: "InvalidParameter",
                description: format!(
                    "{parameter}: unknown parameter; this endpoint accepts {}",
                    allowed.join(", ")
                ),
                parameter: Some(parameter),
            },
            ApiError::NotFound(what) => Body {
                code: "NotFound",
                description: what.clone(),
                parameter: None,
            },
            ApiError::MethodNotAllowed => Body {
                code: "MethodNotAllowed",
                description: "only GET, HEAD and OPTIONS are served".into(),
                parameter: None,
            },
            ApiError::NotAcceptable(what) => Body {
                code: "NotAcceptable",
                description: what.clone(),
                parameter: Some("f"),
            },
            ApiError::Timeout => Body {
                code: "RequestTimeout",
                description: "the response took too long; narrow the query (bbox, datetime, limit)"
                    .into(),
                parameter: None,
            },
            ApiError::UriTooLong(max) => Body {
                code: "URITooLong",
                description: format!("the request target is longer than {max} bytes"),
                parameter: None,
            },
            ApiError::Overloaded => Body {
                code: "ServiceUnavailable",
                description: "too many requests in flight; retry shortly".into(),
                parameter: None,
            },
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Body {
                    code: "ServerError",
                    description: "internal error; it has been logged".into(),
                    parameter: None,
                }
            }
        };
        let text = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
        let mut resp = (status, text).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            resp.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            );
        }
        resp
    }
}
