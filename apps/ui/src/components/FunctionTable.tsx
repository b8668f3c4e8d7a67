import type { DiffRow, FunctionRow } from '../api';
import { formatValue } from '../time-range';

/** The hotspots beside a flame graph: self and total per function, with their share. */
export function HotspotsTable({ rows, total, unit, onPick }: { rows: FunctionRow[]; total: number; unit: string; onPick: (fn: string) => void }) {
  const pct = (v: number) => (total > 0 ? `${((100 * v) / total).toFixed(1)} %` : '');
  return (
    <table class="functions" aria-label="Hotspots">
      <thead>
        <tr>
          <th>Function</th>
          <th class="num">Self</th>
          <th class="num">Total</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.function}>
            <td>
              <a href="javascript:void 0" title="Highlight in the flame graph" onClick={() => onPick(row.function)}>
                {row.function}
              </a>
            </td>
            <td class="num">
              {formatValue(row.self, unit)} <small>{pct(row.self)}</small>
            </td>
            <td class="num">
              {formatValue(row.total, unit)} <small>{pct(row.total)}</small>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What changed, per function: base, current and delta of self, normalised as the API says (functions whose self did not change left out). */
export function DiffTable({ rows, unit, onPick }: { rows: DiffRow[]; unit: string; onPick: (fn: string) => void }) {
  return (
    <table class="functions" aria-label="Changes">
      <thead>
        <tr>
          <th>Function</th>
          <th class="num">Base</th>
          <th class="num">Now</th>
          <th class="num">Δ self</th>
        </tr>
      </thead>
      <tbody>
        {rows
          .filter((row) => row.self.delta !== 0)
          .map((row) => (
            <tr key={row.function} class={row.self.delta > 0 ? 'grew' : row.self.delta < 0 ? 'shrank' : ''}>
              <td>
                <a href="javascript:void 0" onClick={() => onPick(row.function)}>
                  {row.function}
                </a>
              </td>
              <td class="num">{formatValue(row.self.base, unit)}</td>
              <td class="num">{formatValue(row.self.current, unit)}</td>
              <td class="num">
                {row.self.delta > 0 ? '+' : ''}
                {formatValue(row.self.delta, unit)}
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
