/**
 * The baseline: a minimal `ws` relay with no auth, validation or storage. A socket joins the
 * chat rooms named in its `?chats=` query; each `new_message` frame is parsed, turned into the
 * same shape of frame the service sends, serialised once and sent to the room's members (the
 * other member, and the sender as its acknowledgement, as the service does).
 * `node dist/bench/baseline-relay.js <port>`; prints `listening <port>` when ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
});
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
let position = 0;

wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const joined = (url.searchParams.get('chats') ?? '').split(',').filter((c) => c.length > 0);
  for (const chat of joined) {
    const members = rooms.get(chat) ?? new Set<WebSocket>();
    members.add(ws);
    rooms.set(chat, members);
  }
  ws.on('message', (raw: Buffer) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) return;
    const data = parsed.data;
    if (typeof data !== 'object' || data === null || !('chat_id' in data) || typeof data.chat_id !== 'string') return;
    const members = rooms.get(data.chat_id);
    if (members === undefined) return;
    const content = 'content' in data ? data.content : '';
    const timestamp = 'timestamp' in data ? data.timestamp : '';
    const text = JSON.stringify({
      action: 'new_message',
      data: { chat_id: data.chat_id, id: randomUUID(), content, date: new Date().toISOString(), sender: '', is_read: false, is_liked: false, timestamp },
      position: String(++position),
    });
    for (const m of members) m.send(text);
  });
  ws.on('close', () => {
    for (const chat of joined) rooms.get(chat)?.delete(ws);
  });
});

const port = Number(process.argv[2] ?? 0);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
const stop = (): void => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
