// The ceiling: a bare Express "hello" on the same Node, forked by bench/run.ts like the app server
// (IPC: → {type:'listening', port}; ← {type:'stats'} → {type:'stats', rss}; ← {type:'stop'}).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

const send = (message: object) => process.send?.(message);

const app = express();
app.get('/', (_req, res) => {
  res.send('hello');
});

const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') send({ type: 'stats', rss: process.memoryUsage.rss(), rssPeak: process.memoryUsage.rss() });
  if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
