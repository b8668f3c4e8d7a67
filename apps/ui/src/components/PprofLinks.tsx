import { apiUrl } from '../api';

/** Download link and the `go tool pprof` command for a profile or a merged aggregate. */
export function PprofLinks({ path, params, label }: { path: string; params: Record<string, string | undefined>; label: string }) {
  const url = apiUrl(path, params);
  return (
    <div class="pprof-links">
      <a href={url} download>
        Download {label} (pprof)
      </a>
      <code data-testid="pprof-command">go tool pprof -http=: '{url}'</code>
    </div>
  );
}
