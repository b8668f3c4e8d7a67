/** A small line of one metric over the range, as an SVG polyline; the last value beside it. */
export function Sparkline({ points, fromMs, toMs, label, format }: { points: [number, number][]; fromMs: number; toMs: number; label: string; format: (v: number) => string }) {
  const width = 120;
  const height = 28;
  if (points.length === 0) return <span class="spark-empty">–</span>;
  const values = points.map(([, v]) => v);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = Math.max(max - min, 1e-9);
  const xs = (t: number) => ((t - fromMs) / Math.max(toMs - fromMs, 1)) * width;
  const ys = (v: number) => height - 2 - ((v - min) / span) * (height - 4);
  const line = points.map(([t, v]) => `${xs(t).toFixed(1)},${ys(v).toFixed(1)}`).join(' ');
  return (
    <span class="spark" title={`${label}: min ${format(min)}, max ${format(max)}`}>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label} over the range`}>
        <polyline points={line} fill="none" stroke="currentColor" stroke-width="1.5" />
      </svg>
      <span class="spark-last">{format(values[values.length - 1])}</span>
    </span>
  );
}
