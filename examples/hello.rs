//! The ceiling for the benchmark in `scripts/bench/`: the smallest axum server on the same runtime
//! and the same hyper, answering `hello` on `/`. Usage: `hello 127.0.0.1:PORT`.

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("serving http://{addr}/");
    axum::serve(listener, app).await
}
