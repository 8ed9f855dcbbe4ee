// Drives whatsapp-api-js (pinned in package.json) against the sandbox for tests/e2e/test_meta_node_client.py.
// Usage: node run.mjs <node_modules dir> < job.json, where job.json is
//   {"base": sandbox URL, "token", "appSecret", "phoneID", "v": "v23.0", "commands": [{"op": ...}, ...]}
// Prints one JSON array: per command {"ok": result} or {"err": {"name", "message"}}.
// The library has no host setting (it calls https://graph.facebook.com/...); its documented `ponyfill.fetch`
// hook is where the host is swapped for the sandbox's, so every path, query and body is the library's own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.argv[2];
const resolve = createRequire(join(modules, 'noop.js')).resolve;
const load = (name) => import(pathToFileURL(resolve(name)).href);
const { WhatsAppAPI } = await load('whatsapp-api-js');
const M = await load('whatsapp-api-js/messages');

const job = JSON.parse(readFileSync(0, 'utf8'));
const requests = [];
const sandboxFetch = (url, init = {}) => {
  const target = String(url).replace(/^https:\/\/graph\.facebook\.com/, job.base);
  requests.push({ method: init.method || 'GET', url: target.slice(job.base.length) });
  return fetch(target, init);
};
const Whatsapp = new WhatsAppAPI({ token: job.token, appSecret: job.appSecret, v: job.v, ponyfill: { fetch: sandboxFetch } });

// A message is the JavaScript an app would write with the library's classes (`M`), e.g. "new M.Text('hi')".
const build = (expr) => new Function('M', `return (${expr});`)(M);

// What the library hands an app's on.message / on.status callback, without its functions and the raw payload.
let received;
const keep = (args) => Object.fromEntries(Object.entries(args).filter(([k, v]) => k !== 'raw' && k !== 'Whatsapp' && typeof v !== 'function'));
Whatsapp.on.message = (args) => { received = { event: 'message', ...keep(args) }; };
Whatsapp.on.status = (args) => { received = { event: 'status', ...keep(args) }; };

const ops = {
  send: (c) => Whatsapp.sendMessage(job.phoneID, c.to, build(c.message), c.context, c.biz_opaque_callback_data),
  read: (c) => Whatsapp.markAsRead(job.phoneID, c.message_id, c.indicator),
  upload: (c) => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(c.data, 'base64')], { type: c.mime }), c.filename);
    return Whatsapp.uploadMedia(job.phoneID, form);
  },
  retrieve: (c) => Whatsapp.retrieveMedia(c.id, c.phoneID),
  download: async (c) => {
    const response = await Whatsapp.fetchMedia(c.url);
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, type: response.headers.get('content-type'), data: body.toString('base64') };
  },
  delete: (c) => Whatsapp.deleteMedia(c.id, c.phoneID),
  block: (c) => Whatsapp.blockUser(job.phoneID, ...c.users),
  unblock: (c) => Whatsapp.unblockUser(job.phoneID, ...c.users),
  // A webhook POST as an app receives it: raw body + X-Hub-Signature-256, through the library's post().
  webhook: async (c) => {
    received = undefined;
    await Whatsapp.post(JSON.parse(c.body), c.body, c.signature);
    return received;
  },
  verify: (c) => new WhatsAppAPI({ token: job.token, webhookVerifyToken: c.verify_token, v: job.v, secure: false }).get(c.query),
};

const out = [];
for (const command of job.commands) {
  try {
    out.push({ ok: (await ops[command.op](command)) ?? null });
  } catch (error) {
    out.push({ err: { name: error?.constructor?.name, message: String(error?.message ?? error), httpStatus: error?.httpStatus } });
  }
}
process.stdout.write(JSON.stringify({ results: out, requests }));
