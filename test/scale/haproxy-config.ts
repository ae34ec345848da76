/**
 * The HAProxy configuration docs/DEPLOYMENT.md gives to copy ("Several instances"), generated for the
 * tests with their ports. `sticky: false` leaves out the session affinity, to show what it is for.
 */
export function haproxyConfig(opts: { port: number; servers: { name: string; port: number }[]; sticky?: boolean }): string {
  const sticky = opts.sticky ?? true;
  return [
    'global',
    '  maxconn 512',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  # A busy instance is slow, not down: a check may take up to 3 s, and three must fail in a row.',
    '  timeout check 3s',
    '  # A request that could not even connect is tried again, and its last try goes to another instance',
    '  # (the sticky one is down). A request an instance received is never sent to a second one: it may',
    '  # have been carried out before the instance died (no retry-on empty-response).',
    '  retries 2',
    '  option redispatch',
    '',
    'frontend mcps',
    `  bind 127.0.0.1:${opts.port}`,
    '  default_backend instances',
    '',
    'backend instances',
    '  balance roundrobin',
    '  # The health check must name a host the instances allow (ALLOWED_HOSTS).',
    '  option httpchk',
    '  http-check send meth GET uri /health ver HTTP/1.1 hdr Host localhost',
    '  http-check expect status 200',
    ...(sticky
      ? [
          '  # MCP sessions live in the instance that opened them: every request of a session goes back there.',
          '  stick-table type string len 64 size 100k expire 2h',
          '  stick store-response res.hdr(mcp-session-id)',
          '  stick match req.hdr(mcp-session-id)',
        ]
      : []),
    '  # Which instance answered (for the tests; harmless to keep).',
    '  http-response set-header X-Served-By %s',
    ...opts.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter 1s fall 3 rise 2`),
    '',
  ].join('\n');
}
