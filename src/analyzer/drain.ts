import { isSpaceCode, maskInto, WILDCARD } from './mask.js';
import { maskedHash, MaskedMap, maskedString, putMasked } from './masked-map.js';

/** Drain parameters. The defaults are one set for every kind of log (no per-source tuning). */
export interface DrainParams {
  /** Depth of the prefix tree: length layer, then `depth - 2` leading tokens. */
  depth: number;
  /** Share of equal tokens a line needs to join a template. */
  similarity: number;
  /** Children per tree node before new tokens go to a `<*>` child. */
  maxChildren: number;
  /** Templates kept; lines that would make more go to an overflow count. */
  maxTemplates: number;
}

export const DEFAULT_DRAIN: DrainParams = { depth: 3, similarity: 0.5, maxChildren: 100, maxTemplates: 10_000 };

export interface Template {
  id: string;
  tokens: string[];
  count: number;
  firstSeen: number | null;
  lastSeen: number | null;
  example: string;
}

interface Node {
  children: Map<string, Node>;
  clusters: Template[];
}

const newNode = (): Node => ({ children: new Map(), clusters: [] });

/** Persistable state: the parameters, the templates and the overflow count. */
export interface DrainState {
  params: DrainParams;
  templates: Template[];
  nextId: number;
  overflow: number;
}

const SPLIT = /[\s]+/;
const SEEN_MAX = 50_000;
/** Tokens that route a line down the tree: plain words. Others (ids, class names, `(user)`) may vary, so they go to `<*>`. */
const ROUTABLE = /^[A-Za-z_-]+:?$/;

/**
 * Drain template mining (He et al., 2017): a fixed-depth prefix tree routes a line by its length and
 * first tokens to a few candidate templates; the most similar one (share of equal tokens, at least
 * `similarity`) takes the line, its differing positions becoming `<*>`; else the line starts a template.
 * Variables are masked first (numbers, ids, IPs, ...), so templates differ only by constant words.
 */
export class Drain {
  private readonly root = newNode();
  readonly templates: Template[] = [];
  private nextId = 1;
  /** Lines not kept because maxTemplates was reached. */
  overflow = 0;
  /** Masked line → its template: most lines repeat once masked, and skip the tree (bounded; cleared when full). */
  private readonly seen = new MaskedMap<Template>();
  /** Bumped each time `seen` is cleared: a caller's memo of "masked text → template" is valid while it stays the same. */
  seenEpoch = 0;

  /**
   * @param maskWith a masking function to use instead of the fast path (benches compare with the defining regex).
   */
  constructor(
    readonly params: DrainParams = DEFAULT_DRAIN,
    state?: DrainState,
    private readonly maskWith?: (message: string) => string,
  ) {
    if (!state) return;
    this.nextId = state.nextId;
    this.overflow = state.overflow;
    for (const t of state.templates) {
      this.templates.push(t);
      this.leafFor(t.tokens).clusters.push(t);
    }
  }

  /** Adds a message; returns its template (null past maxTemplates). */
  add(message: string, ts: number | null = null): Template | null {
    const n = this.maskWith ? putMasked(this.maskWith(message.trim())) : maskMessage(message);
    const h = maskedHash(n);
    const known = this.seen.get(n, h);
    if (known) return touch(known, ts);
    return this.placeSeen(maskedString(n), h, message, ts);
  }

  /**
   * `add` for a message masked elsewhere (a worker thread, drain-parallel.ts): `masked` must be what `add` would mask
   * the message to (maskVariables of the trimmed message); the result is then the same. The message is only asked
   * for when the line starts a template (its example).
   */
  addMasked(masked: string, message: () => string, ts: number | null = null): Template | null {
    const n = putMasked(masked);
    const h = maskedHash(n);
    const known = this.seen.get(n, h);
    if (known) return touch(known, ts);
    return this.placeSeen(masked, h, message, ts);
  }

  /** One more line of a template `add` or `addMasked` returned for the same masked text, while `seenEpoch` is unchanged. */
  hit(t: Template, ts: number | null = null): Template {
    return touch(t, ts);
  }

  private placeSeen(masked: string, h: number, message: string | (() => string), ts: number | null): Template | null {
    const t = this.place(masked, message, ts);
    if (t) {
      if (this.seen.size >= SEEN_MAX) {
        this.seen.clear();
        this.seenEpoch++;
      }
      this.seen.set(h, masked, t);
    }
    return t;
  }

  private place(masked: string, line: string | (() => string), ts: number | null): Template | null {
    const tokens = masked === '' ? [] : masked.split(SPLIT);
    const leaf = this.leafFor(tokens);
    let best: Template | null = null;
    let bestSim = -1;
    let bestParams = -1;
    for (const c of leaf.clusters) {
      const [sim, params] = similarity(c.tokens, tokens);
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = params;
      }
    }
    if (best && bestSim >= this.params.similarity) {
      mergeInto(best.tokens, tokens);
      return touch(best, ts);
    }
    if (this.templates.length >= this.params.maxTemplates) {
      this.overflow++;
      return null;
    }
    const message = typeof line === 'string' ? line : line();
    const t: Template = { id: `t${this.nextId++}`, tokens, count: 0, firstSeen: null, lastSeen: null, example: message.length > 500 ? `${message.slice(0, 500)}…` : message };
    leaf.clusters.push(t);
    this.templates.push(t);
    return touch(t, ts);
  }

  state(): DrainState {
    return { params: this.params, templates: this.templates, nextId: this.nextId, overflow: this.overflow };
  }

  private leafFor(tokens: string[]): Node {
    let node = child(this.root, String(tokens.length), Infinity);
    const prefix = Math.min(this.params.depth - 2, tokens.length);
    for (let i = 0; i < prefix; i++) {
      const token = tokens[i]!;
      node = ROUTABLE.test(token) ? child(node, token, this.params.maxChildren) : child(node, WILDCARD, Infinity);
    }
    return node;
  }
}

function child(node: Node, key: string, max: number): Node {
  let next = node.children.get(key);
  if (next) return next;
  if (node.children.size >= max) key = WILDCARD;
  next = node.children.get(key);
  if (!next) {
    next = newNode();
    node.children.set(key, next);
  }
  return next;
}

/** Share of positions where the template equals the line (wildcards do not count), and the wildcard count. */
function similarity(template: string[], tokens: string[]): [number, number] {
  if (template.length === 0) return [1, 0];
  let same = 0;
  let params = 0;
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    if (t === WILDCARD) params++;
    else if (t === tokens[i]) same++;
  }
  return [same / template.length, params];
}

function mergeInto(template: string[], tokens: string[]): void {
  for (let i = 0; i < template.length; i++) if (template[i] !== tokens[i]) template[i] = WILDCARD;
}

function touch(t: Template, ts: number | null): Template {
  t.count++;
  if (ts !== null) {
    if (t.firstSeen === null || ts < t.firstSeen) t.firstSeen = ts;
    if (t.lastSeen === null || ts > t.lastSeen) t.lastSeen = ts;
  }
  return t;
}

/** Masks a message as `Drain.add` does (trimmed) into MASKED (mask-fast.ts); returns its length. */
export function maskMessage(message: string): number {
  return maskInto(message, trimStart(message), trimEnd(message));
}

/** Where `text.trim()` would start and end. */
function trimStart(text: string): number {
  let i = 0;
  while (i < text.length && isSpaceCode(text.charCodeAt(i))) i++;
  return i;
}

function trimEnd(text: string): number {
  let i = text.length;
  while (i > 0 && isSpaceCode(text.charCodeAt(i - 1))) i--;
  return i;
}

export const templateText = (t: Template): string => t.tokens.join(' ');
