// Drives the official npm `smsglobal` SDK against the sandbox (reference providers.md §A3, option 1).
// Usage: node run.js <sandbox base URL> <key> <secret> [step]; prints one JSON object with every result.
// step: "all" (default), "incoming" (list incoming SMS only).
const [base, key, secret, step = 'all'] = process.argv.slice(2);
const smsglobal = require('smsglobal')(key, secret);
require('smsglobal/lib/client').defaults.baseURL = `${base}/v2`;

const settle = (promise) => promise.then((ok) => ({ ok }), (err) => ({ err }));

const steps = {
  incoming: async () => ({ incoming: await settle(smsglobal.sms.incoming.getAll()) }),
};

(async () => {
  if (steps[step]) {
    process.stdout.write(JSON.stringify(await steps[step]()));
    return;
  }
  const out = {};
  out.send = await settle(smsglobal.sms.send({ origin: 'NodeSdk', destination: '61400000123', message: 'Hello from Node' }));
  out.sendMany = await settle(smsglobal.sms.send({ destinations: ['61400000124', '61400000125'], message: 'Hi both' }));
  const id = out.send.ok && out.send.ok.data.messages[0].id;
  out.get = await settle(smsglobal.sms.get(id));
  out.getAll = await settle(smsglobal.sms.getAll({ offset: 1, limit: 2 }));
  // The date filter is where the SDK's signed query (%20, %3A) and axios's wire query (+, :) differ.
  out.getAllDates = await settle(smsglobal.sms.getAll({ startDate: '2000-01-01 00:00:00', endDate: '2100-01-01 00:00:00', status: 'Processing' }));
  out.invalid = await settle(smsglobal.sms.send({ destination: '61400000123', message: 'x', origin: 'LongSenderName1' }));
  out.missing = await settle(smsglobal.sms.get(12345));
  out.incoming = await settle(smsglobal.sms.incoming.getAll());
  out.delete = await settle(smsglobal.sms.delete(id));
  out.afterDelete = await settle(smsglobal.sms.get(id));
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
