/**
 * Hostile JSON-RPC frames for every MCP face (Streamable HTTP, legacy SSE, stdio), and how to judge
 * the answers: each frame that is not a valid request must get a JSON-RPC error (or, over HTTP, a
 * 4xx refusal); valid but odd ones (huge ids) may get a result.
 */

export type JsonRpcMessage = Record<string, any>;

export interface Frame {
  name: string;
  raw: string;
  /** error: must be refused; any: any JSON-RPC answer (or none, for a notification) will do. */
  expect: 'error' | 'any';
}

const DEEP = 10_000;
export const TEN_MB = 10 * 1024 * 1024;

const nested = (depth: number) => '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);

/** The frames, for a face whose tools are called as `tool` (e.g. `probe__echo` on /mcp). */
export function hostileFrames(tool: string, id: () => number): Frame[] {
  const call = (args: string) => `{"jsonrpc":"2.0","id":${id()},"method":"tools/call","params":{"name":"${tool}","arguments":${args}}}`;
  return [
    { name: 'truncated JSON', raw: '{"jsonrpc":"2.0","id":1,"method":"ping"', expect: 'error' },
    { name: 'not JSON', raw: 'hello there', expect: 'error' },
    { name: 'NUL bytes', raw: '\u0000\u0000\u0000', expect: 'error' },
    { name: 'JSON null', raw: 'null', expect: 'error' },
    { name: 'a bare number', raw: '42', expect: 'error' },
    { name: 'an empty object', raw: '{}', expect: 'error' },
    { name: 'jsonrpc 1.0', raw: `{"jsonrpc":"1.0","id":${id()},"method":"ping"}`, expect: 'error' },
    { name: 'method not a string', raw: `{"jsonrpc":"2.0","id":${id()},"method":42}`, expect: 'error' },
    { name: 'unknown method', raw: `{"jsonrpc":"2.0","id":${id()},"method":"no/such/method"}`, expect: 'error' },
    { name: 'params a string', raw: `{"jsonrpc":"2.0","id":${id()},"method":"tools/call","params":"oops"}`, expect: 'error' },
    { name: 'id an object', raw: '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', expect: 'error' },
    { name: 'id an array', raw: '{"jsonrpc":"2.0","id":[1,2],"method":"ping"}', expect: 'error' },
    { name: 'empty batch', raw: '[]', expect: 'error' },
    { name: 'batch of pings', raw: `[{"jsonrpc":"2.0","id":${id()},"method":"ping"},{"jsonrpc":"2.0","id":${id()},"method":"ping"}]`, expect: 'error' },
    { name: 'batch of garbage', raw: '[1,"two",null]', expect: 'error' },
    { name: 'huge numeric id', raw: '{"jsonrpc":"2.0","id":18446744073709551616000,"method":"ping"}', expect: 'any' },
    { name: 'id 1e400 (Infinity)', raw: '{"jsonrpc":"2.0","id":1e400,"method":"ping"}', expect: 'any' },
    { name: '100 KB string id', raw: `{"jsonrpc":"2.0","id":"${'i'.repeat(100_000)}","method":"ping"}`, expect: 'any' },
    { name: 'unknown tool', raw: `{"jsonrpc":"2.0","id":${id()},"method":"tools/call","params":{"name":"no_such_tool_x","arguments":{}}}`, expect: 'error' },
    { name: `tool arguments nested ${DEEP} deep`, raw: call(nested(DEEP)), expect: 'error' },
    { name: `params nested ${DEEP} deep`, raw: `{"jsonrpc":"2.0","id":${id()},"method":"ping","params":${nested(DEEP)}}`, expect: 'error' },
    { name: '10 MB tool arguments', raw: call(`{"text":"${'x'.repeat(TEN_MB)}"}`), expect: 'error' },
  ];
}

/** The JSON-RPC messages in an HTTP answer body: plain JSON, or `data:` lines of an event stream. */
export function messagesIn(contentType: string, body: string): JsonRpcMessage[] {
  const texts = contentType.startsWith('text/event-stream')
    ? body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim())
    : [body];
  const out: JsonRpcMessage[] = [];
  for (const text of texts) {
    try {
      const v = JSON.parse(text);
      out.push(...(Array.isArray(v) ? v : [v]));
    } catch {
      // not JSON: no message
    }
  }
  return out;
}

/** A refusal: a JSON-RPC error, or a tool result flagged as an error. */
export function isRefusal(m: JsonRpcMessage): boolean {
  return (m['error'] && typeof m['error'].code === 'number') || m['result']?.isError === true;
}

/** Why the answer to `frame` is wrong, or null. `status` is the HTTP status where there is one. */
export function judgeFrame(frame: Frame, answers: JsonRpcMessage[], status?: number): string | null {
  if (status !== undefined && status >= 500) return `HTTP ${status}: ${JSON.stringify(answers).slice(0, 200)}`;
  if (frame.expect === 'any') return null;
  if (status !== undefined && status >= 400 && status < 500) return null;
  if (answers.some(isRefusal)) return null;
  return `no JSON-RPC error (got ${status ?? ''} ${JSON.stringify(answers).slice(0, 200)})`;
}

/** The id of a frame that must be answered, when it has a plain one; undefined otherwise. */
export function frameId(frame: Frame): string | number | undefined {
  if (frame.expect !== 'error') return undefined;
  try {
    const v = JSON.parse(frame.raw);
    return typeof v?.id === 'number' || typeof v?.id === 'string' ? v.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends `frame` on a stream face, then a ping; returns what came back for the frame (its own answer
 * when it has an id, else whatever arrived by the ping's answer and a short grace), or null when the
 * face stopped answering.
 */
export async function exchange(stream: MessageStream, frame: Frame, send: (raw: string) => Promise<unknown>, pingId: string): Promise<JsonRpcMessage[] | null> {
  const from = stream.messages.length;
  await send(frame.raw);
  await send(JSON.stringify({ jsonrpc: '2.0', id: pingId, method: 'ping' }));
  // A ping lost with the frame (e.g. dropped with an oversized line) is retried once before calling the face dead.
  if ((await stream.answerTo(pingId, from, 5_000)) === null) {
    await send(JSON.stringify({ jsonrpc: '2.0', id: pingId, method: 'ping' }));
    if ((await stream.answerTo(pingId, from, 10_000)) === null) return null;
  }
  // Answers may overtake each other (a ping is quick, a tool call is not): give the frame's own a moment.
  const own = frameId(frame);
  if (own !== undefined) await stream.answerTo(own, from, 2_000);
  else await new Promise((r) => setTimeout(r, 100));
  return stream.messages.slice(from).filter((m) => m['id'] !== pingId);
}

/** Messages arriving on a stream (SSE or stdout), with a wait for the first one matching. */
export class MessageStream {
  readonly messages: JsonRpcMessage[] = [];
  private waiters: (() => void)[] = [];

  push(m: JsonRpcMessage): void {
    this.messages.push(m);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for a message with this id; resolves with the messages that came from `from` on, or null on timeout. */
  async answerTo(id: string | number, from: number, ms = 15_000): Promise<JsonRpcMessage[] | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.messages.findIndex((m, n) => n >= from && m['id'] === id);
      if (i >= 0) return this.messages.slice(from, i + 1);
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
