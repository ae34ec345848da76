import { createHash } from 'node:crypto';

/**
 * The sign-in and consent pages of the authorization server: plain server-rendered HTML forms, no
 * script, one inline style allowed by its hash. Every value shown is escaped.
 */
const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}' +
  'h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}' +
  'button{margin:1rem .5rem 0 0;padding:.5rem 1rem}.sso a{display:block;margin:.6rem 0;padding:.5rem 1rem;border:1px solid #98a2b3;text-align:center;color:inherit;text-decoration:none}.error{color:#b42318}ul{padding-left:1.2rem}code{background:#f2f4f7;padding:0 .2rem}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The Content-Security-Policy of these pages: nothing loads, no script runs; forms post only to the
 * platform, and to the client's redirect origin (a browser applies form-action to the redirect that
 * ends the flow).
 */
export function pageCsp(redirectOrigin: string | null): string {
  const formAction = ["'self'", ...(redirectOrigin ? [redirectOrigin] : [])].join(' ');
  return `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export interface SsoLink {
  displayName: string;
  href: string;
}

/**
 * The sign-in page: a "Sign in with <provider>" link per single sign-on provider, and the password form
 * unless password sign-in is turned off (`action` null), in which case a sentence says so.
 */
export function loginPage(opts: { projectName: string; action: string | null; sso: readonly SsoLink[]; clientName: string; error?: string; username?: string }): string {
  const links = opts.sso.map((p) => `<a href="${escapeHtml(p.href)}">Sign in with ${escapeHtml(p.displayName)}</a>`).join('');
  const form = opts.action
    ? `<form method="post" action="${escapeHtml(opts.action)}">` +
      `<label for="username">Username</label><input id="username" name="username" autocomplete="username" required value="${escapeHtml(opts.username ?? '')}">` +
      `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`
    : `<p id="no-password">Password sign-in is turned off on this platform${opts.sso.length ? ': sign in with your organisation\'s single sign-on above.' : ', and no single sign-on provider is set up: ask an administrator.'}</p>`;
  return page(
    `Sign in - ${opts.projectName}`,
    `<h1>Sign in to ${escapeHtml(opts.projectName)}</h1>` +
      `<p><strong>${escapeHtml(opts.clientName)}</strong> asks to use the MCP gateway for you.</p>` +
      (opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : '') +
      (links ? `<div class="sso" id="sso">${links}</div>` : '') +
      form,
  );
}

export interface ConsentView {
  projectName: string;
  confirm: string;
  abort: string;
  clientName: string;
  clientId: string;
  username: string;
  scopes: readonly { name: string; meaning: string }[];
  resource: string;
  /** The servers the token will reach (its resource narrowed by its server scopes); null: every server the user may use. */
  reach: readonly string[] | null | 'outside';
  redirectUri: string;
}

/** The servers the token will reach, in plain words. */
function reachSentence(reach: ConsentView['reach']): string {
  if (reach === null) return 'It will reach every MCP server you may use.';
  if (reach === 'outside') return 'It asks for one MCP server but is limited to others: the token will be refused there.';
  const names = reach.map((s) => `<strong>${escapeHtml(s)}</strong>`).join(', ');
  return `It will be limited to ${reach.length === 1 ? 'the MCP server' : 'the MCP servers'} ${names}, and only as far as you may use ${reach.length === 1 ? 'it' : 'them'}: no other server.`;
}

export function consentPage(v: ConsentView): string {
  const scopes = v.scopes.map((s) => `<li><code>${escapeHtml(s.name)}</code>: ${escapeHtml(s.meaning)}</li>`).join('');
  return page(
    `Allow access - ${v.projectName}`,
    `<h1>Allow <span id="client">${escapeHtml(v.clientName)}</span> to act for you?</h1>` +
      `<p>Signed in as <strong id="user">${escapeHtml(v.username)}</strong>.</p>` +
      `<p>The client <code>${escapeHtml(v.clientId)}</code> asks for:</p><ul id="scopes">${scopes}</ul>` +
      `<p>on <code>${escapeHtml(v.resource)}</code>; it will be sent back to <code>${escapeHtml(v.redirectUri)}</code>.</p>` +
      `<p id="reach">${reachSentence(v.reach)}</p>` +
      `<form method="post" action="${escapeHtml(v.confirm)}"><button type="submit" id="allow">Allow</button></form>` +
      `<form method="post" action="${escapeHtml(v.abort)}"><button type="submit" id="deny">Deny</button></form>`,
  );
}
