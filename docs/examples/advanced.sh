#!/usr/bin/env bash
# Beyond the basics: a secret used by reference, a Claude Desktop configuration imported as is, an API key
# limited to one tool, and the MCP gateway (/mcp) spoken directly in JSON-RPC with curl.
#
#   BASE_URL=http://127.0.0.1:8000 ADMIN_PASSWORD=... bash docs/examples/advanced.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
login

echo '1. Store a secret; a server refers to it as ${secret:NAME} and never holds the value in its definition'
# A new name at each run: a deleted secret keeps its name until restored (POST /secrets/NAME/restore).
SECRET=DEMO_TOKEN_$(date +%s)
TOKEN_VALUE=demo-$(node -p 'crypto.randomBytes(8).toString("hex")')
api POST /secrets "$(json "name=$SECRET" "value=$TOKEN_VALUE")" | field name current_version

echo '2. Import a Claude Desktop configuration (claude_desktop_config.json), unchanged'
CONFIG=$(mktemp)
cat >"$CONFIG" <<JSON
{
  "mcpServers": {
    "demo": {
      "command": "$NODE",
      "args": ["$EVERYTHING"],
      "env": { "DEMO_TOKEN": "\${secret:$SECRET}" }
    }
  }
}
JSON
api POST /tools/import "$(cat "$CONFIG")" | field created.0.name
rm "$CONFIG"

echo '   its definition keeps the reference:'
api GET /tools/demo | field env.DEMO_TOKEN

echo '3. Start it: the reference is resolved into the child process environment only'
api POST /tools/demo/start | field state
ENV_SEEN=$(api POST /tools/demo/call '{"tool": "get-env"}' | field content.0.text)
if [[ $ENV_SEEN == *"$TOKEN_VALUE"* ]]; then echo '   the server sees the secret value: yes'; else echo '   the server sees the secret value: NO' && exit 1; fi

echo '4. An API key for an MCP client, limited to the tool demo__echo'
KEY_ANSWER=$(api POST /gateway/api-keys '{"name": "example-client", "role": "operator", "allowed_tools": ["demo__echo"]}')
KEY=$(field key <<<"$KEY_ANSWER")
KEY_ID=$(field api_key.id <<<"$KEY_ANSWER")
echo "   key ${KEY:0:11}... (shown once)"

# mcp JSON: one JSON-RPC message to the gateway as the key, in the session once there is one.
mcp() {
  curl -sS "$BASE_URL/mcp" -H "authorization: Bearer $KEY" \
    -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    ${SESSION:+-H "mcp-session-id: $SESSION"} -d "$1" "${@:2}"
}

echo '5. The gateway, as any MCP client speaks it: initialize, then the session id goes on every request'
HEADERS=$(mktemp)
mcp '{"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}}}' \
  -D "$HEADERS" | field result.serverInfo.name
SESSION=$(tr -d '\r' <"$HEADERS" | sed -n 's/^mcp-session-id: //Ip')
rm "$HEADERS"
mcp '{"jsonrpc": "2.0", "method": "notifications/initialized"}'

echo '   tools/list: only what the key allows, namespaced <server>__<tool>'
mcp '{"jsonrpc": "2.0", "id": 2, "method": "tools/list"}' | field "result.tools.*.name"

echo '   tools/call demo__echo'
mcp '{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "demo__echo", "arguments": {"message": "hello through the gateway"}}}' |
  field result.content.0.text

echo '   tools/call demo__get-env, which the key may not use'
mcp '{"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "demo__get-env", "arguments": {}}}' | field error.message

echo '6. Clean up: end the session, revoke the key, remove the server and the secret'
curl -sS -X DELETE "$BASE_URL/mcp" -H "authorization: Bearer $KEY" -H "mcp-session-id: $SESSION" -o /dev/null
api DELETE "/auth/api-keys/$KEY_ID" >/dev/null
api DELETE /tools/demo >/dev/null
api DELETE "/secrets/$SECRET" >/dev/null
echo 'done'
