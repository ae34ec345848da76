/**
 * Which hosts a capture may target: the saved dashboards' hosts (name and port) and the entries of
 * the `capture.allowed_hosts` setting (`name` for any port, `name:port` for one). Inside the browser
 * the same set says which origins may sit on private or loopback addresses (see guarded-routing.ts).
 */
export interface CaptureHosts {
  allows(url: URL): boolean;
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** `name:port` of a URL, lower-case, the scheme's default port filled in, IPv6 brackets kept. */
export function hostKey(url: URL): string {
  return `${url.hostname.toLowerCase().replace(/\.$/, '')}:${url.port || DEFAULT_PORT[url.protocol] || ''}`;
}

export function createCaptureHosts(dashboardUrls: readonly string[], allowed: readonly string[]): CaptureHosts {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const u of dashboardUrls) {
    try {
      exact.add(hostKey(new URL(u)));
    } catch {
      // a stored URL that no longer parses allows nothing
    }
  }
  for (const entry of allowed.map((e) => e.toLowerCase().replace(/\.$/, ''))) {
    const port = /^(.*):(\d{1,5})$/.exec(entry);
    if (port && !entry.endsWith(']')) exact.add(`${port[1]}:${port[2]}`);
    else anyPort.add(entry);
  }
  return {
    allows(url) {
      const key = hostKey(url);
      return exact.has(key) || anyPort.has(url.hostname.toLowerCase().replace(/\.$/, ''));
    },
  };
}
