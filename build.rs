//! Gathers the map page for embedding: `web/index.html`, `web/static/` and, under `vendor/NAME/`,
//! each npm package folder that `web/vendor.json` lists, copied into `$OUT_DIR/web` (the binary
//! embeds that folder, so an installed `iskp-map` serves the page from anywhere). The packages come
//! from `web/node_modules`, installed from the npm registry as `web/package-lock.json` pins them; if
//! they are missing, `npm ci` is run once. Without npm the binary is built without the page (it then
//! serves a plain index of the data) and says so.
//!
//! Also records when the bundled data last changed (the newest modification time of the seven data
//! files), the `timeStamp` of answers served from the embedded data.

use std::fs;
use std::path::{Path, PathBuf};

const DATA_FILES: &[&str] = &[
    "countries.geojson",
    "provinces.geojson",
    "cities.csv",
    "places.csv",
    "sources.csv",
    "records.csv",
    "citations.csv",
    "splits.csv",
];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("web");
    let web = root.join("web");
    for p in [
        "web/index.html",
        "web/static",
        "web/vendor.json",
        "web/package-lock.json",
        "geodata",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    let changed = DATA_FILES
        .iter()
        .filter_map(|f| fs::metadata(root.join("geodata").join(f)).ok())
        .filter_map(|m| m.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .max()
        .unwrap_or(0);
    println!("cargo:rustc-env=ISKP_MAP_BUNDLED_CHANGED_AT={changed}");

    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(out.join("static")).expect("create the page folder");
    if let Err(e) = gather(&web, &out) {
        println!("cargo:warning=the map page is not embedded: {e}");
        // An empty folder still builds; the server then lists the data at `/`.
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).expect("create the page folder");
    }
}

fn gather(web: &Path, out: &Path) -> Result<(), String> {
    let vendor =
        fs::read_to_string(web.join("vendor.json")).map_err(|e| format!("vendor.json: {e}"))?;
    let folders = parse_vendor(&vendor)?;
    if folders
        .iter()
        .any(|(_, f)| !web.join("node_modules").join(f).is_dir())
    {
        npm_ci(web)?;
    }
    fs::copy(web.join("index.html"), out.join("index.html"))
        .map_err(|e| format!("index.html: {e}"))?;
    copy_dir(&web.join("static"), &out.join("static"))?;
    for (name, folder) in folders {
        copy_dir(
            &web.join("node_modules").join(&folder),
            &out.join("vendor").join(&name),
        )?;
    }
    Ok(())
}

/// `{"NAME": "package/folder", …}` as pairs (a flat JSON object of strings; no crate needed).
fn parse_vendor(text: &str) -> Result<Vec<(String, String)>, String> {
    let body = text
        .trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or("vendor.json is not an object")?;
    let mut out = Vec::new();
    for pair in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once(':')
            .ok_or("vendor.json: expected \"name\": \"folder\"")?;
        let unquote = |s: &str| {
            s.trim()
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(str::to_string)
                .ok_or_else(|| format!("vendor.json: {s} is not a string"))
        };
        let (k, v) = (unquote(k)?, unquote(v)?);
        if k.contains(['/', '\\']) || k.starts_with('.') || v.split('/').any(|s| s == "..") {
            return Err(format!("vendor.json: {k:?} → {v:?} is not a safe folder"));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn npm_ci(web: &Path) -> Result<(), String> {
    println!("cargo:warning=web/node_modules is missing; running npm ci in web/");
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(web)
        .status()
        .map_err(|e| format!("npm ci: {e} (install Node.js and npm, or run npm ci in web/)"))?;
    if !status.success() {
        return Err(format!("npm ci in web/ failed ({status})"));
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for e in entries {
        let e = e.map_err(|e| e.to_string())?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}
