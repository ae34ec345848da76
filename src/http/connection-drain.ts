import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Lets a stopping HTTP server close every connection that holds no request. Closing a Node server
 * waits for each open connection, and it closes idle keep-alive ones, but not a connection that never
 * sent a request (a browser's preconnect, a TCP health check, a client reconnecting while the app's
 * preClose hooks run): each one held the platform's shutdown until the 30 s forced exit (code 1).
 * `drain()` (call it when stopping, before `app.close()`) ends every connection with no request in
 * flight at once, each other one as soon as its last response is over, and any that connects from then
 * on. The platform serves no WebSocket upgrades on this server; an upgraded socket would count as idle.
 */
export interface ConnectionDrain {
  drain(): void;
  /** Connections open now. */
  readonly open: number;
}

export function trackConnections(server: Server, graceMs = 1000): ConnectionDrain {
  const sockets = new Set<Socket>();
  const inFlight = new Map<Socket, number>();
  let draining = false;
  /** Ends the connection after what it has written is sent; cuts it if the peer does not close its side. */
  const end = (s: Socket) => {
    s.end();
    setTimeout(() => s.destroy(), graceMs).unref();
  };
  server.on('connection', (s: Socket) => {
    if (draining) return void s.destroy();
    sockets.add(s);
    s.once('close', () => {
      sockets.delete(s);
      inFlight.delete(s);
    });
  });
  server.on('request', (req, res) => {
    const s = req.socket;
    inFlight.set(s, (inFlight.get(s) ?? 0) + 1);
    res.once('close', () => {
      const n = (inFlight.get(s) ?? 1) - 1;
      if (n > 0) return void inFlight.set(s, n);
      inFlight.delete(s);
      if (draining) end(s);
    });
  });
  return {
    drain() {
      draining = true;
      for (const s of sockets) if (!inFlight.has(s)) end(s);
    },
    get open() {
      return sockets.size;
    },
  };
}
