// The sandbox's page and JSON, gzipped for a client that accepts it. They are made per request
// (the page is read each time so a rebuild shows at once; the JSON is live), and are small.
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

export function sendCompressed(req: Request, res: Response, type: 'json' | 'html', text: string): Response {
  res.vary('Accept-Encoding').type(type);
  if (req.acceptsEncodings('gzip') !== 'gzip') return res.send(text);
  return res.set('Content-Encoding', 'gzip').send(gzipSync(text));
}
