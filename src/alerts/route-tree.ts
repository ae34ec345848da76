import { z } from 'zod';
import { compileMatchers, matchersSchema, type LabelSet } from './label-matchers.js';

const seconds = z.number().int().min(0).max(30 * 86_400);

/** A node of the routing tree, as Alertmanager's `route`; unset fields are inherited from the parent. */
export interface RouteNode {
  receiver?: string | undefined;
  channels?: string[] | undefined;
  matchers?: z.infer<typeof matchersSchema> | undefined;
  group_by?: string[] | undefined;
  group_wait_seconds?: number | undefined;
  group_interval_seconds?: number | undefined;
  repeat_interval_seconds?: number | undefined;
  continue?: boolean | undefined;
  routes?: RouteNode[] | undefined;
}

const nodeFields = {
  receiver: z.string().min(1).max(100).optional().describe('Name handed to notifications (inherited)'),
  channels: z.array(z.string().min(1).max(100)).max(50).optional().describe('Notification channel names (inherited)'),
  matchers: matchersSchema.optional().describe('All must match (the root matches everything)'),
  group_by: z.array(z.string().min(1).max(200)).max(30).optional().describe("Labels to group by; ['...'] groups by all labels"),
  group_wait_seconds: seconds.optional().describe('Wait before the first notification of a new group (default 30)'),
  group_interval_seconds: seconds.optional().describe('Wait before notifying changes of a group (default 300)'),
  repeat_interval_seconds: seconds.optional().describe('Wait before repeating an unchanged notification (default 14400)'),
  continue: z.boolean().optional().describe('Keep matching the following siblings after this route matched'),
};

/** Child routes nest at most this deep under the root (the OpenAPI document has no recursive schemas). */
export const MAX_ROUTE_DEPTH = 5;

function nodeAt(depth: number): z.ZodType<RouteNode> {
  if (depth === MAX_ROUTE_DEPTH) return z.strictObject(nodeFields);
  return z.strictObject({ ...nodeFields, routes: z.array(nodeAt(depth + 1)).max(100).optional().describe('Child routes, tried in order') });
}

export const routeNode = nodeAt(0);

/** A route an alert ended on, with every inherited setting filled in. */
export interface MatchedRoute {
  /** Path in the tree, e.g. `root.1.0`. */
  id: string;
  receiver: string;
  channels: string[];
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

export const DEFAULT_TREE: RouteNode = { receiver: 'default', group_by: ['alertname'] };

function resolveNode(node: RouteNode, parent: MatchedRoute | null, id: string): MatchedRoute {
  return {
    id,
    receiver: node.receiver ?? parent?.receiver ?? 'default',
    channels: node.channels ?? parent?.channels ?? [],
    groupBy: node.group_by ?? parent?.groupBy ?? [],
    groupWaitMs: (node.group_wait_seconds ?? (parent ? parent.groupWaitMs / 1000 : 30)) * 1000,
    groupIntervalMs: (node.group_interval_seconds ?? (parent ? parent.groupIntervalMs / 1000 : 300)) * 1000,
    repeatIntervalMs: (node.repeat_interval_seconds ?? (parent ? parent.repeatIntervalMs / 1000 : 14_400)) * 1000,
  };
}

/**
 * Alertmanager's route matching: depth first; the first matching child takes the alert unless it has
 * `continue`, in which case the next siblings are tried too; a node none of whose children match
 * takes the alert itself. The root matches every alert.
 */
export function compileRouteTree(root: RouteNode): (labels: LabelSet) => MatchedRoute[] {
  type Compiled = { route: MatchedRoute; matches: (l: LabelSet) => boolean; cont: boolean; children: Compiled[] };
  const build = (node: RouteNode, parent: MatchedRoute | null, id: string): Compiled => {
    const route = resolveNode(node, parent, id);
    return { route, matches: compileMatchers(node.matchers ?? []), cont: node.continue === true, children: (node.routes ?? []).map((c, i) => build(c, route, `${id}.${i}`)) };
  };
  const walk = (c: Compiled, labels: LabelSet): MatchedRoute[] => {
    const out: MatchedRoute[] = [];
    for (const child of c.children) {
      if (!child.matches(labels)) continue;
      out.push(...walk(child, labels));
      if (!child.cont) break;
    }
    return out.length ? out : [c.route];
  };
  const compiled = build(root, null, 'root');
  return (labels) => walk(compiled, labels);
}

/** The group an alert joins on a route: the route and the values of its group_by labels. */
export function groupOf(route: MatchedRoute, labels: LabelSet): { key: string; labels: LabelSet } {
  const names = route.groupBy.includes('...') ? Object.keys(labels).sort() : route.groupBy;
  const values = Object.fromEntries(names.filter((n) => labels[n] !== undefined).map((n) => [n, labels[n]!]));
  return { key: `${route.id}:${JSON.stringify(values)}`, labels: values };
}
