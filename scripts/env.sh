# Sourced by the scripts: puts a Go install that is not on PATH yet on it, and keeps Nx local.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
# Nx: no cloud, no daemon, no prompts, no telemetry.
export NX_NO_CLOUD=true NX_DAEMON=false NX_INTERACTIVE=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-false}
export NX_TUI=false
