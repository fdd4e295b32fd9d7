//! One test over a real TCP socket: the router served by `axum::serve`, read by an HTTP client,
//! with compression negotiated and graceful shutdown.

mod common;

use iskp_map::{app, AppState};

#[tokio::test]
async fn real_socket_round_trip() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(AppState::new(common::store())))
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    let base = format!("http://{addr}");

    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let r = raw
        .get(format!("{base}/api/collections/incidents/items?limit=50"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["content-type"], "application/geo+json");

    let client = reqwest::Client::new();
    let v: serde_json::Value = client
        .get(format!("{base}/api/collections/incidents/items?limit=50"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["numberReturned"], 50);
    let next = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        next.starts_with(&base),
        "links are absolute URLs on the address served: {next}"
    );
    let page2: serde_json::Value = client
        .get(&next)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page2["numberMatched"], v["numberMatched"]);

    tx.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("shuts down")
        .unwrap();
}
