/** The one line oidc-provider prints when it is imported on a Node.js it does not list (Node 20 here), coloured on a terminal. */
const RUNTIME_NOTICE = 'oidc-provider WARNING: Unsupported runtime.';

type OidcProviderModule = typeof import('oidc-provider');
let loading: Promise<OidcProviderModule> | null = null;

/**
 * Imports oidc-provider on first use, so a process that never serves OAuth (every CLI command) never
 * loads it. Its "Unsupported runtime" notice, printed on stderr while the module is evaluated, is
 * dropped: the CLI's errors are one line on stderr, and the library works on Node 20 (the OAuth tests
 * run it there). Only that line is dropped; every other warning passes through.
 */
export function importOidcProvider(): Promise<OidcProviderModule> {
  loading ??= withoutRuntimeNotice(() => import('oidc-provider'));
  return loading;
}

async function withoutRuntimeNotice<T>(load: () => Promise<T>): Promise<T> {
  const original = console.warn;
  const filter = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === 'string' && args[0].includes(RUNTIME_NOTICE)) return;
    original.apply(console, args);
  };
  console.warn = filter;
  try {
    return await load();
  } finally {
    // Someone else may have replaced console.warn meanwhile: leave theirs in place.
    if (console.warn === filter) console.warn = original;
  }
}
