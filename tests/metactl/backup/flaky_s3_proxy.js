// A small HTTP proxy in front of s3rver for backup_concurrent_flaky.sh: it passes requests
// through unchanged (the Host header too, so SigV4 signatures still verify) and, as the control
// file says, drops connections or holds requests so that two clients meet.
//
//   node flaky_s3_proxy.js TARGET_PORT CONTROL_FILE LOG_FILE
//
// Prints "proxy listening on 127.0.0.1:PORT" (port 0: the kernel picks it) on stdout.
// LOG_FILE gets one line per request: "METHOD PATH STATUS at MS" or "METHOD PATH dropped at MS".
// CONTROL_FILE is read on every request; each line is one rule:
//   drop_puts_after N     PUTs beyond the first N forwarded (counted since the proxy started)
//                         lose their connection: the socket is closed before anything is sent
//                         to s3rver, so curl sees an empty reply (a connection error)
//   pair METHOD SUBSTRING the first two requests of METHOD whose path holds SUBSTRING meet: the
//                         first is held until the second arrives (at most 5 s), then both go
//                         on; later ones pass. Rewriting the control file re-arms the rule.
//   # ...                 a comment (change it to re-arm the pair rules)
'use strict';
const fs = require('fs');
const http = require('http');

const [targetPort, controlFile, logFile] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true });
let forwardedPuts = 0;
const waiting = new Map();  // pair rule -> the release function of the request held for it
const spent = new Set();    // pair rules whose two requests have met (or timed out)
let lastText = '';

function rules() {
  let text = '';
  try { text = fs.readFileSync(controlFile, 'utf8'); } catch (e) { /* no file: no rules */ }
  if (text !== lastText) { spent.clear(); lastText = text; }
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w[0] && w[0] !== '#');
}

// The time goes last, so that the test's patterns can match "METHOD PATH STATUS" at the start.
function log(line) { fs.appendFileSync(logFile, `${line} at ${Date.now()}\n`); }

// Resolves when a partner for `rule` arrives or after 5 s.
function meet(rule) {
  return new Promise((resolve) => {
    const partner = waiting.get(rule);
    if (partner) {
      waiting.delete(rule);
      spent.add(rule);
      partner();
      resolve();
      return;
    }
    const timer = setTimeout(() => { waiting.delete(rule); spent.add(rule); resolve(); }, 5000);
    waiting.set(rule, () => { clearTimeout(timer); resolve(); });
  });
}

async function handle(req, res) {
  const r = rules();
  if (req.method === 'PUT') {
    const limit = r.find((w) => w[0] === 'drop_puts_after');
    if (limit && forwardedPuts >= Number(limit[1])) {
      log(`${req.method} ${req.url} dropped`);
      req.socket.destroy();
      return;
    }
    forwardedPuts++;
  }
  const pair = r.find((w) => w[0] === 'pair' && w[1] === req.method && req.url.includes(w[2]));
  if (pair && !spent.has(pair.join(' '))) await meet(pair.join(' '));
  const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method,
                            path: req.url, headers: req.headers, agent }, (upRes) => {
    log(`${req.method} ${req.url} ${upRes.statusCode}`);
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', (e) => { log(`${req.method} ${req.url} upstream-error ${e.code}`); req.socket.destroy(); });
  req.pipe(up);
}

const server = http.createServer((req, res) => { handle(req, res); });
server.listen(0, '127.0.0.1', () => {
  console.log(`proxy listening on 127.0.0.1:${server.address().port}`);
});
