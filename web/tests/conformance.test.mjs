// Every kind of GeoJSON the API answers is checked against RFC 7946 (@placemarkio/check-geojson),
// and the OpenAPI document with an OpenAPI 3.0 validator (@apidevtools/swagger-parser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '@placemarkio/check-geojson';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startServer } from './server.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server.stop());

async function text(path) {
  const r = await fetch(server.base + path);
  assert.equal(r.status, 200, path);
  return { body: await r.text(), type: r.headers.get('content-type') };
}

const GEOJSON_URLS = [
  '/api/collections/incidents/items?limit=10000',
  '/api/collections/attacks/items?bbox=60,29,75,39',
  '/api/collections/plots/items?datetime=2020-01-01/2023-12-31',
  '/api/collections/countries/items?limit=1000',
  '/api/collections/provinces/items?limit=10000',
  '/api/collections/incidents/items/2024-03-22-crocus-city-hall',
  '/api/collections/countries/items/RUS',
  '/api/collections/countries/items/FJI',
  '/api/collections/countries/items/ATA',
  '/api/collections/provinces/items/AFG-1762',
  '/api/collections/incidents/download?format=geojson',
  '/api/collections/countries/download?format=geojson',
  '/api/geocode?q=kabul',
];

for (const url of GEOJSON_URLS) {
  test(`RFC 7946: ${url}`, async () => {
    const { body, type } = await text(url);
    assert.match(type, /^application\/geo\+json/);
    // check() throws a HintError listing every problem: winding, positions, crs members, …
    const parsed = check(body);
    assert.ok(parsed.type === 'FeatureCollection' || parsed.type === 'Feature');
    assert.equal(JSON.parse(body).crs, undefined, 'no crs member');
  });
}

test('the OpenAPI document validates as OpenAPI 3.0', async () => {
  const { body } = await text('/api/openapi.json');
  const doc = JSON.parse(body);
  const api = await SwaggerParser.validate(doc);
  assert.match(api.openapi, /^3\.0\./);
  assert.ok(api.paths['/collections/incidents/items'].get.parameters.length >= 8);
});
