// Calls one method of the official npm `smsglobal` SDK's OTP API against the sandbox (reference
// providers.md §A3, option 1). Usage: node otp_node.js <base URL> <key> <secret> <method> [args...]
// Prints {"ok": result} or {"err": error} as JSON.
const [base, key, secret, method, ...args] = process.argv.slice(2);
const smsglobal = require('smsglobal')(key, secret);
require('smsglobal/lib/client').defaults.baseURL = `${base}/v2`;

const call = method === 'send' ? smsglobal.otp.send(JSON.parse(args[0])) : smsglobal.otp[method](...args);
call.then((ok) => ({ ok }), (err) => ({ err }))
  .then((out) => process.stdout.write(JSON.stringify(out)))
  .catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
