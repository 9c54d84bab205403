// Loads the generic-kv keys of a V004 export stream into etcd, so that bench/export_import.sh
// compares etcd's snapshot save/restore with metactl on exactly the same keys and values.
// Puts go in transactions of B puts (etcd must run with --max-txn-ops >= B), C in flight.
// Usage: node etcd_load.js HOST:PORT STREAM.jsonl [B=1000] [C=8]
// Prints {"keys":N,"secs":S} on stdout.
const fs = require('fs');
const readline = require('readline');
const { Etcd3 } = require('etcd3');

const [addr, file, B = '1000', C = '8'] = process.argv.slice(2);
const client = new Etcd3({ hosts: addr });
const kKv = '["state_machine/0",{"GenericKV":';

async function main() {
  const t0 = Date.now();
  const rl = readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let batch = [];
  let keys = 0;
  const inflight = new Set();
  const send = (ops) => {
    const p = client.kv.txn({ compare: [], success: ops, failure: [] }).then(() => inflight.delete(p));
    inflight.add(p);
    return p;
  };
  for await (const line of rl) {
    if (!line.startsWith(kKv)) continue;
    const kv = JSON.parse(line)[1].GenericKV;
    batch.push({ request_put: { key: Buffer.from(kv.key), value: Buffer.from(kv.value.data) } });
    ++keys;
    if (batch.length >= +B) {
      send(batch);
      batch = [];
      if (inflight.size >= +C) await Promise.race(inflight);
    }
  }
  if (batch.length) send(batch);
  await Promise.all(inflight);
  console.log(JSON.stringify({ keys, secs: (Date.now() - t0) / 1000 }));
  client.close();
}

main().catch((e) => { console.error(String(e)); process.exit(1); });
