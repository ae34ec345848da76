#!/usr/bin/env bash
# The core flow over the REST API: log in, register an MCP server, start it, call one of its tools, stop it.
#
#   BASE_URL=http://127.0.0.1:8000 ADMIN_PASSWORD=... bash docs/examples/basic.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

echo '1. Log in as admin: an access token for the next calls'
login

echo '2. Register server-everything, a stdio MCP server (the platform runs the command as a child process)'
api POST /tools "{
  \"name\": \"everything\",
  \"transport\": \"stdio\",
  \"command\": \"$NODE\",
  \"args\": [\"$EVERYTHING\", \"stdio\"],
  \"description\": \"the MCP reference server\"
}" | field name

echo '3. Start it; the answer comes once the MCP handshake is done'
api POST /tools/everything/start | field state

echo '4. See what it offers (its live tools, resources and prompts)'
api GET /tools/everything/capabilities | field server_info.name

echo '5. Call its tool "get-sum"'
api POST /tools/everything/call '{"tool": "get-sum", "arguments": {"a": 2, "b": 3}}' | field content.0.text

echo '6. Its status: state and process id (one child process, shared by every caller)'
api GET /tools/everything/status | field state pid

echo '7. Stop it, and remove it so the example can run again'
api POST /tools/everything/stop | field state
api DELETE /tools/everything >/dev/null
echo 'done'
