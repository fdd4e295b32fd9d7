//! The page and its assets as the server delivers them: security headers, static files, and paths
//! that try to leave `web/`.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{send_to, store};
use iskp_map::AppState;
use std::path::Path;

async fn get_web(uri: &str) -> common::Answer {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let resp = tower::ServiceExt::oneshot(iskp_map::app(AppState::with_web(store(), web)), req)
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    common::Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn the_page_forbids_inline_script_and_other_origins() {
    let a = get_web("/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = a.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    let html = a.text();
    assert!(html.contains("/vendor/leaflet/leaflet.js") && html.contains("/static/app.js"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no other origin is referenced"
    );
    assert!(!html.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn static_files_are_served_and_cannot_escape_web() {
    let js = get_web("/static/app.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").unwrap().contains("javascript"));
    for uri in [
        "/static/../../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/static/..\\..\\Cargo.toml",
        "/static/%00",
        "/static/",
        "/vendor/leaflet/../../../../Cargo.toml",
    ] {
        let a = get_web(uri).await;
        assert!(
            a.status == StatusCode::NOT_FOUND || a.status == StatusCode::BAD_REQUEST,
            "{uri}: {}",
            a.status
        );
        assert!(!a.text().contains("[package]"), "{uri} leaked a file");
    }
}

#[tokio::test]
async fn without_a_page_the_root_lists_the_data() {
    let a = send_to(store(), Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("Afghanistan"));
    assert!(a.header("content-security-policy").is_some());
}

/// Links shared on social sites come back with tracking parameters; the page must still open.
#[tokio::test]
async fn links_with_tracking_parameters_open_the_page() {
    for uri in [
        "/?utm_source=x",
        "/?fbclid=IwAR0abc&utm_medium=social",
        "/?anything=at%20all&x",
    ] {
        let a = get_web(uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert!(a.text().contains("/static/app.js"), "{uri} is the page");
    }
    let a = send_to(
        store(),
        Request::get("/?utm_source=x").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "the plain index too");
}

/// Every `/vendor/NAME` folder of `web/vendor.json` is served from `web/node_modules`.
#[tokio::test]
async fn vendor_folders_come_from_the_manifest() {
    // `make test` installs web/node_modules before the Rust tests.
    let a = get_web("/vendor/markercluster/MarkerCluster.css").await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "is web/node_modules installed (npm ci)?"
    );
    assert_eq!(
        get_web("/vendor/nothing/x.js").await.status,
        StatusCode::NOT_FOUND
    );
}
