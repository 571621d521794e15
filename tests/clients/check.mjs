// Connects today's Node.js Redis clients to the server on argv[2] and exercises what
// they do on connect (node-redis: HELLO 3, CLIENT SETINFO; ioredis: INFO ready check)
// plus common commands. Prints "ok <client>" per client; exits 1 on the first mismatch.
import { createClient } from 'redis';
import Redis from 'ioredis';
import assert from 'node:assert/strict';

const port = Number(process.argv[2]);

async function nodeRedis() {
  const c = createClient({ socket: { port, host: '127.0.0.1' }, RESP: 3, name: 'node-redis-check' });
  c.on('error', (e) => { console.error('node-redis error', e); process.exit(1); });
  await c.connect();
  assert.equal(await c.ping(), 'PONG');
  assert.equal(await c.set('nr:k', 'v', { EX: 100 }), 'OK');
  assert.equal(await c.get('nr:k'), 'v');
  assert.equal(await c.ttl('nr:k'), 100);
  assert.equal(await c.incrBy('nr:n', 5), 5);
  assert.deepEqual(await c.mGet(['nr:k', 'nr:missing']), ['v', null]);
  assert.equal(await c.sendCommand(['CLIENT', 'GETNAME']), 'node-redis-check');
  const info = await c.info('server');
  assert.match(info, /redis_version:/);
  assert.equal(await c.del(['nr:k', 'nr:n']), 2);
  await c.quit();
  console.log('ok node-redis');
}

async function ioredis() {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await c.connect();
  assert.equal(await c.set('io:k', 'v', 'PX', 100000), 'OK');
  assert.equal(await c.get('io:k'), 'v');
  const results = await c.pipeline().incr('io:n').incr('io:n').get('io:n').exec();
  assert.deepEqual(results.map(([err, v]) => v), [1, 2, '2']);
  await assert.rejects(c.incr('io:k'), /value is not an integer or out of range/);
  const keys = await c.keys('io:*');
  assert.deepEqual(keys.sort(), ['io:k', 'io:n']);
  assert.equal(await c.dbsize(), 2);
  await c.quit();
  console.log('ok ioredis');
}

try {
  await nodeRedis();
  await ioredis();
} catch (e) {
  console.error('FAILED', e);
  process.exit(1);
}
