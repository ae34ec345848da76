# Helpers shared by the shell examples (sourced, not run). Needs curl and node.

BASE_URL=${BASE_URL:-http://127.0.0.1:8000}
API=$BASE_URL/api/v1
: "${ADMIN_PASSWORD:?set ADMIN_PASSWORD to the admin password (MCPS_ADMIN_PASSWORD, or the one printed at first start)}"
# server-everything, the MCP reference server, from this repository's devDependencies (no download).
EVERYTHING=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/node_modules/@modelcontextprotocol/server-everything/dist/index.js
NODE=$(command -v node)

# api METHOD PATH [JSON]: calls the REST API with $TOKEN and prints the response body; on an HTTP error
# it prints the problem+json answer to stderr and fails.
api() {
  local out status
  out=$(curl -sS -w '\n%{http_code}' -X "$1" "$API$2" -H "authorization: Bearer $TOKEN" \
    ${3:+-H 'content-type: application/json' -d "$3"})
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [ "$status" -ge 400 ]; then
    echo "$1 $2 failed ($status): $out" >&2
    return 1
  fi
  echo "$out"
}

# field PATH...: prints fields of the JSON document on stdin on one line (`access_token`, `api_key.id`,
# `tools.0.name`; `tools.*.name` for every item).
field() {
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    if (!s) process.exit(1); // the call before it failed and said why
    const doc = JSON.parse(s);
    const get = (o, path) => path.split(".").reduce((v, k) => v?.[k], o);
    const pick = (path) => {
      const [list, item] = path.split(".*.");
      return item === undefined ? get(doc, path) : get(doc, list)?.map((x) => get(x, item));
    };
    const show = (v) => (typeof v === "string" ? v : JSON.stringify(v));
    console.log(process.argv.slice(1).map((path) => show(pick(path))).join(" "));
  })' "$@"
}

# json KEY=VALUE...: a JSON object of strings, safely quoted (passwords, paths).
json() {
  node -e 'console.log(JSON.stringify(Object.fromEntries(process.argv.slice(1).map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]))))' "$@"
}

# login: sets TOKEN, an access token for the admin.
login() {
  TOKEN=$(TOKEN='' api POST /auth/login "$(json username=admin "password=$ADMIN_PASSWORD")" | field access_token)
}
