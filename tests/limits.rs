//! The limits and guarantees of the README's "Limits and guarantees" section, each pinned here.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use iskp_map::http::app_with;
use iskp_map::http::middleware::harden;
use iskp_map::http::server::{serve, Limits};
use iskp_map::AppState;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

async fn call(router: Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let resp = router
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    )
}

async fn boom() -> &'static str {
    panic!("boom")
}

/// A router with a slow and a panicking route, behind the service's own layers.
fn test_router(limits: &Limits) -> Router {
    let routes = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                "done"
            }),
        )
        .route("/panic", get(boom));
    harden(routes, limits)
}

#[tokio::test]
async fn uri_longer_than_the_limit_gets_414() {
    let limits = Limits::default();
    let app = app_with(AppState::new(common::store()), &limits);
    let long = format!(
        "/api/collections/incidents/items?bbox={}",
        "1".repeat(limits.max_uri_bytes)
    );
    let (status, body) = call(app, &long).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_eq!(body["code"], "URITooLong");
}

#[tokio::test]
async fn requests_beyond_the_in_flight_limit_get_503_at_once() {
    let limits = Limits {
        max_in_flight: 2,
        ..Limits::default()
    };
    let app = test_router(&limits);
    let started = Instant::now();
    let calls: Vec<_> = (0..6)
        .map(|_| tokio::spawn(call(app.clone(), "/slow")))
        .collect();
    let mut codes = Vec::new();
    for c in calls {
        codes.push(c.await.unwrap().0);
    }
    let ok = codes.iter().filter(|c| **c == StatusCode::OK).count();
    let refused = codes
        .iter()
        .filter(|c| **c == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert_eq!(ok + refused, 6, "{codes:?}");
    assert!(refused >= 1, "more than two at once are refused: {codes:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "refused requests do not wait in a queue"
    );
}

#[tokio::test]
async fn slow_responses_get_408_and_panics_a_json_500() {
    let limits = Limits {
        request_timeout: Duration::from_millis(100),
        ..Limits::default()
    };
    let (status, body) = call(test_router(&limits), "/slow").await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(body["code"], "RequestTimeout");
    let (status, body) = call(test_router(&Limits::default()), "/panic").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["code"], "ServerError");
    assert!(
        !body.to_string().contains("boom"),
        "details are logged, not sent"
    );
}

/// A real server on a free port with short limits, stopped when the guard drops.
struct Running {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start(limits: Limits) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let app = app_with(AppState::new(common::store()), &limits);
    tokio::spawn(async move {
        serve(listener, app, &limits, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Running {
        addr,
        stop: Some(tx),
    }
}

async fn get_status(addr: std::net::SocketAddr, path: &str) -> u16 {
    reqwest::get(format!("http://{addr}{path}"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn oversized_headers_get_431() {
    let server = start(Limits {
        max_header_bytes: 16 * 1024,
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let req = format!(
        "GET /api HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let _ = s.write_all(req.as_bytes()).await;
    let mut buf = vec![0u8; 256];
    let n = s.read(&mut buf).await.unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 431"), "got {head:?}");
    assert_eq!(
        get_status(server.addr, "/api").await,
        200,
        "the server goes on"
    );
}

#[tokio::test]
async fn slowloris_clients_are_cut_off_and_do_not_block_others() {
    let server = start(Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /api HTTP/1.1\r\nHost: x\r\nX-A: ")
            .await
            .unwrap();
        slow.push(s);
    }
    // While fifty clients dribble their headers, others are served.
    assert_eq!(get_status(server.addr, "/api/collections").await, 200);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for s in &mut slow {
        let _ = s.write_all(b"b").await;
        let mut buf = [0u8; 64];
        let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
            .await
            .expect("closed, not hanging")
            .unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(
            n == 0 || text.starts_with("HTTP/1.1 408"),
            "cut off: {text:?}"
        );
    }
}

#[tokio::test]
async fn a_client_leaving_mid_download_harms_nothing() {
    let server = start(Limits::default()).await;
    for _ in 0..20 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(
            b"GET /api/collections/provinces/download?format=geojson HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .await
        .unwrap();
        let mut buf = vec![0u8; 16 * 1024];
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0);
        drop(s); // gone after the first few kilobytes of 3.6 MB
    }
    assert_eq!(
        get_status(
            server.addr,
            "/api/collections/provinces/download?format=csv"
        )
        .await,
        200
    );
    let full = reqwest::get(format!(
        "http://{}/api/collections/provinces/download?format=geojson",
        server.addr
    ))
    .await
    .unwrap()
    .json::<serde_json::Value>()
    .await
    .unwrap();
    assert_eq!(
        full["features"].as_array().unwrap().len(),
        4595,
        "a complete download still completes"
    );
}
