// Drives @kapso/whatsapp-cloud-api (pinned in package.json) against the sandbox for tests/e2e/test_meta_kapso_client.py.
// Usage: node run.mjs <node_modules dir>, then one job per line on stdin:
//   {"base": sandbox URL, "token", "appSecret", "v": "v23.0", "commands": [{"op": ...}, ...]}
// answered by one line on stdout: {"results": [per command {"ok": result} or {"err": {...}}], "requests": [{method, url}]}.
// One process serves a whole test module: node and the library load once.
// The library's documented `baseUrl` option points it at the sandbox (default https://graph.facebook.com); its
// documented `fetch` option only records each request, so every path, query and body is the library's own.
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.argv[2];
const resolve = createRequire(join(modules, 'noop.js')).resolve;
const load = (name) => import(pathToFileURL(resolve(name)).href);
const { WhatsAppClient } = await load('@kapso/whatsapp-cloud-api');
const { verifySignature, normalizeWebhook } = await load('@kapso/whatsapp-cloud-api/server');

let job, client, requests;
const recordingFetch = (url, init = {}) => {
  const u = new URL(String(url));
  requests.push({ method: init.method || 'GET', url: u.pathname + u.search });
  return fetch(url, init);
};
const clientFor = (token) => new WhatsAppClient({ baseUrl: job.base, accessToken: token, graphVersion: job.v, fetch: recordingFetch });

// `call` names a resource method as an app writes it ("messages.sendText", "phoneNumbers.settings.get"), called
// with `input` (or with `args` for the few methods taking more than one argument, like flows.deploy).
const method = (c, path) => {
  const parts = path.split('.');
  const name = parts.pop();
  const owner = parts.reduce((o, p) => o[p], c);
  return owner[name].bind(owner);
};

const bytes = (b64) => Buffer.from(b64, 'base64');
const ops = {
  call: (c) => method(c.token ? clientFor(c.token) : client, c.call)(...(c.args ?? [c.input])),
  upload: (c) => client.media.upload({ ...c.input, file: new Blob([bytes(c.data)], { type: c.input.type }) }),
  download: async (c) => {
    const response = await client.media.download({ ...c.input, as: 'response' });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, type: response.headers.get('content-type'), data: body.toString('base64') };
  },
  // A webhook POST as an app receives it: the raw body and X-Hub-Signature-256 through verifySignature, then
  // the parsed body through normalizeWebhook (what the library's docs tell an app to do).
  webhook: (c) => ({
    verified: verifySignature({ appSecret: job.appSecret, rawBody: bytes(c.body), signatureHeader: c.signature }),
    normalized: normalizeWebhook(JSON.parse(bytes(c.body).toString('utf8'))),
  }),
};

const describe = (error) => (typeof error?.toJSON === 'function'
  ? error.toJSON()
  : { name: error?.name ?? error?.constructor?.name, message: String(error?.message ?? error) });

for await (const line of createInterface({ input: process.stdin })) {
  job = JSON.parse(line);
  client = clientFor(job.token);
  requests = [];
  const results = [];
  for (const command of job.commands) {
    try {
      results.push({ ok: (await ops[command.op](command)) ?? null });
    } catch (error) {
      results.push({ err: describe(error) });
    }
  }
  process.stdout.write(JSON.stringify({ results, requests }) + '\n');
}
