//! The one error type of the API and its JSON body `{"code", "description", "parameter"?}`.
//!
//! Errors are not logged where they are made: a 5xx carries its detail to the logging layer
//! ([`super::middleware`]) in a response extension, [`ServerFault`], and only the layer writes it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The detail of a server-side failure, attached to its 500 response for the log (never sent).
#[derive(Debug, Clone)]
pub struct ServerFault(pub String);

/// Everything a handler can answer instead of data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400: a query parameter is malformed or out of range.
    #[error("{parameter}: {reason}")]
    BadParameter {
        /// The parameter.
        parameter: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 400: a query parameter this endpoint does not know.
    #[error("{parameter}: unknown parameter")]
    UnknownParameter {
        /// The parameter.
        parameter: String,
        /// The parameters the endpoint accepts.
        allowed: Vec<&'static str>,
    },
    /// 304: the client already holds this answer (the tag); not a failure, but not data either.
    #[error("not modified")]
    NotModified(String),
    /// 404: no such collection, feature or path.
    #[error("{0}")]
    NotFound(String),
    /// 405: the method is not GET, HEAD or OPTIONS.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 406: the requested format (`f`) cannot be produced.
    #[error("{0}")]
    NotAcceptable(String),
    /// 408: producing the response took longer than the request timeout.
    #[error("the response took too long")]
    Timeout,
    /// 414: the request target is longer than the limit (bytes).
    #[error("the request target is longer than {0} bytes")]
    UriTooLong(usize),
    /// 503: too many requests in flight; refused at once rather than queued.
    #[error("too many requests in flight")]
    Overloaded,
    /// 429: this client is over its rate or its concurrency (see [`super::clients`]).
    #[error("too many requests: {why}")]
    TooManyRequests {
        /// Seconds after which a retry may succeed (`Retry-After`).
        retry_after: u64,
        /// Which limit.
        why: &'static str,
    },
    /// 503: what the answer needs cannot be read now (team mode: the database, for `as_of`).
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug; the details are logged, never sent.
    #[error("internal error: {0}")]
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
            ApiError::NotModified(_) => StatusCode::NOT_MODIFIED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::Overloaded | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::NotModified(tag) => {
                let mut r = status.into_response();
                super::context::set(&mut r, header::ETAG, tag);
                return r;
            }
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
            ApiError::Unavailable(what) => Body {
                code: "ServiceUnavailable",
                description: what.clone(),
                parameter: None,
            },
            ApiError::TooManyRequests { why, .. } => Body {
                code: "TooManyRequests",
                description: format!("{why}; retry after the seconds Retry-After gives"),
                parameter: None,
            },
            ApiError::Internal(_) => Body {
                code: "ServerError",
                description: "internal error; it has been logged".into(),
                parameter: None,
            },
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
        if let ApiError::TooManyRequests { retry_after, .. } = &self {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if let ApiError::Internal(detail) = self {
            resp.extensions_mut().insert(ServerFault(detail));
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
