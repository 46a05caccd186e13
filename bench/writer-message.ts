/**
 * What a message to a writer thread costs, by encoding (not run by the tests):
 *
 *   npm run build && node dist/bench/writer-message.js
 *
 * A worker answers each message at once; appends shaped like a MessageSent go in groups of 1, 10
 * and 100, as a structured clone or as one JSON text. Printed: CPU of both threads per append.
 * It showed that a round trip costs about 120 µs of CPU on the 2-core machine whatever it carries
 * (BENCHMARKS.md, "Levers of 2026-12-07").
 */
import { Worker } from 'node:worker_threads';

const ECHO = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => parentPort.postMessage((typeof m === 'string' ? JSON.parse(m) : m).seq));`;

const append = (i: number): object => ({
  streamId: `chat-f2cb7649-8827-5d25-879b-ae2ecc8679${i % 100}`,
  expected: 'any',
  events: [
    {
      id: '01a24e72-ac4e-737f-b25f-7aeba58787f6',
      type: 'MessageSent',
      data: {
        chatId: 'f2cb7649-8827-5d25-879b-ae2ecc867986',
        messageId: '01a24e72-ac4e-737f-b25f-7aeba58787f6',
        senderId: 'user-1177',
        content: `\tpd1.${'B4Vxy-2out9bj9om7sU24w'.repeat(6)}`,
        seq: i,
        date: '2025-01-01T05:08:20.037Z',
        clientTimestamp: '2025-01-01T05:08:20.037Z',
      },
      metadata: { correlationId: 'c4dce0cc-bb39-47ed-be79-c99e9fe8d377', timestamp: '2025-01-01T05:08:20.037Z', userId: 'user-1177', schemaVersion: 2 },
    },
  ],
});

const worker = new Worker(ECHO, { eval: true });

const run = async (asJson: boolean, appends: number, perMessage: number): Promise<number> => {
  const before = process.cpuUsage();
  for (let i = 0; i < appends; i += perMessage) {
    const body = { seq: i, body: { kind: 'append', requests: Array.from({ length: perMessage }, (_, k) => append(i + k)) } };
    await new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(asJson ? JSON.stringify(body) : body);
    });
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / appends;
};

const APPENDS = 20_000;
console.log('appends per message | structured clone µs/append | one JSON text µs/append (CPU, both threads)');
for (let round = 1; round <= 2; round++)
  for (const perMessage of [1, 10, 100]) {
    const clone = await run(false, APPENDS, perMessage);
    const json = await run(true, APPENDS, perMessage);
    console.log(`${String(perMessage).padStart(19)} | ${clone.toFixed(1).padStart(26)} | ${json.toFixed(1).padStart(23)}`);
  }
await worker.terminate();
