import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and raw (still encoded) query string. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

export type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';
export type ReceiverHandler = (req: ReceivedRequest) => Answer;

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Changes how the next requests are answered. */
  answer(handler: ReceiverHandler): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records each request and answers as `handler` says ('hang': never). */
export async function startHttpReceiver(handler: ReceiverHandler): Promise<HttpReceiver> {
  let current = handler;
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(received);
      const a = current(received);
      if (a === 'hang') return;
      const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/plain' : 'application/json', ...a.headers });
      res.end(text);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (h) => {
      current = h;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
