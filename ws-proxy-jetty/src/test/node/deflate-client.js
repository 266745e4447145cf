// A WebSocket client with permessage-deflate (the 'ws' package, zlib), for NodeDeflateClientTest.
// Usage: node deflate-client.js URL
// Sends "extensions" (the test backend answers with what it negotiated), then a compressible text, random binary
// and random text, each echoed back; prints one JSON line per step; closes with 1000.
const WebSocket = require('ws');
const crypto = require('crypto');

const MIB = 1024 * 1024;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

const ws = new WebSocket(process.argv[2], { perMessageDeflate: true, maxPayload: 64 * MIB });
const received = [];
let waiting = null;
ws.on('message', (data, isBinary) => {
  const m = { data, isBinary };
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(m);
  } else {
    received.push(m);
  }
});
const next = () => new Promise((resolve, reject) => {
  if (received.length) {
    resolve(received.shift());
    return;
  }
  waiting = resolve;
  setTimeout(() => reject(new Error('no message within 30 s')), 30000).unref();
});

function randomText(chars) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 é€ж😀';
  const symbols = Array.from(alphabet);
  const bytes = crypto.randomBytes(chars);
  let s = '';
  for (let i = 0; i < chars; i++) {
    s += symbols[bytes[i] % symbols.length];
  }
  return s;
}

async function echo(kind, payload, binary) {
  ws.send(payload, { binary });
  const m = await next();
  out({ event: 'echo', kind, size: Buffer.byteLength(payload), binary: m.isBinary, sent: sha256(payload), got: sha256(m.data) });
}

ws.on('open', async () => {
  try {
    out({ event: 'open', extensions: ws.extensions });
    ws.send('extensions');
    out({ event: 'upstream-extensions', text: (await next()).data.toString() });
    await echo('compressible-text', 'all work and no play makes a dull proxy. '.repeat(Math.floor(4 * MIB / 41)), false);
    await echo('random-binary', crypto.randomBytes(3 * MIB + 3), true);
    await echo('random-text', randomText(MIB), false);
    ws.close(1000, 'done');
  } catch (e) {
    out({ event: 'error', message: String(e) });
    process.exit(1);
  }
});
ws.on('close', (code, reason) => {
  out({ event: 'close', code, reason: reason.toString() });
  process.exit(0);
});
ws.on('error', (e) => {
  out({ event: 'error', message: String(e) });
  process.exit(1);
});
