/**
 * pprof labels as Go prints them next to a stack: `{"k":"v", "k2":"v2"}` in `goroutine?debug=1`
 * (`# labels: …`) and `labels:{"k": "v"}` in tracebacks (Go 1.26+ with
 * GODEBUG=tracebacklabels=1). Keys and values are Go-quoted strings.
 */
export type PprofLabels = Record<string, string>;

const PAIR = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** Every `"key": "value"` pair in `text`; undefined when there is none. */
export function parsePprofLabels(text: string): PprofLabels | undefined {
  const labels: PprofLabels = {};
  let found = false;
  for (const [, key, value] of text.matchAll(PAIR)) {
    labels[goUnquote(key)] = goUnquote(value);
    found = true;
  }
  return found ? labels : undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
};

/** The body of a Go `%q` string: Go escapes `\xNN` and `\UNNNNNNNN`, which JSON cannot read. */
function goUnquote(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, esc: string) => {
    if (/^[xuU]/.test(esc) && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]{3}$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    return SIMPLE_ESCAPES[esc] ?? esc;
  });
}
