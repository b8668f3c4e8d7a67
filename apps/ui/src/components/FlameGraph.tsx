import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { diffColor, frameColor, largestChange } from '../flame/colors';
import { layout, searchTree, type FlameNode, type FlameRect } from '../flame/tree';
import { formatValue } from '../time-range';

const ROW = 18;
const MIN_PX = 0.5;
const FONT = '12px ui-monospace, SFMono-Regular, Menlo, monospace';

interface Props {
  root: FlameNode;
  unit: string;
  /** Diff mode: colour by change in share (nodes carry `base`). */
  diff?: boolean;
  focus: readonly string[];
  onFocus: (path: readonly string[]) => void;
  search: string;
  onSearch: (term: string) => void;
}

/**
 * An icicle flame graph on a canvas: the root on top, callees below, width by value. Click a box
 * to zoom into it (its ancestors stay above, full width), search to highlight matching frames,
 * hover for self, total and share. Only boxes at least half a pixel wide are laid out and drawn,
 * so trees of tens of thousands of nodes stay fast.
 */
export function FlameGraph({ root, unit, diff = false, focus, onFocus, search, onSearch }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1000);
  const [hover, setHover] = useState<{ rect: FlameRect; x: number; y: number } | undefined>();

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(200, element.clientWidth)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const rects = useMemo(() => layout(root, focus, MIN_PX / width), [root, focus, width]);
  const rows = useMemo(() => rects.reduce((n, r) => Math.max(n, r.depth + 1), 1), [rects]);
  const found = useMemo(() => searchTree(root, search), [root, search]);
  const maxChange = useMemo(() => (diff ? largestChange(root) : 0), [root, diff]);
  const zoomed = rects.find((r) => !r.ancestor)?.node ?? root;

  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const ratio = window.devicePixelRatio || 1;
    const height = rows * ROW;
    element.width = width * ratio;
    element.height = height * ratio;
    element.style.width = `${width}px`;
    element.style.height = `${height}px`;
    const ctx = element.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    const needle = search.toLowerCase();
    for (const rect of rects) {
      const x = rect.x * width;
      const w = Math.max(rect.width * width, MIN_PX);
      const y = rect.depth * ROW;
      const matches = needle !== '' && rect.node.name.toLowerCase().includes(needle);
      let fill = diff ? diffColor(rect.node, root.value, maxChange) : frameColor(rect.node.name);
      if (needle !== '' && !diff) fill = matches ? 'hsl(280, 80%, 65%)' : 'hsl(0, 0%, 88%)';
      ctx.globalAlpha = rect.ancestor ? 0.55 : 1;
      ctx.fillStyle = fill;
      ctx.fillRect(x, y, w - (w > 2 ? 1 : 0), ROW - 1);
      if (matches && diff) {
        ctx.strokeStyle = 'hsl(280, 80%, 45%)';
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, w - 3, ROW - 3);
      }
      if (w > 30) {
        ctx.fillStyle = '#1d1d1f';
        const label = fitText(ctx, rect.node.name, w - 6);
        if (label) ctx.fillText(label, x + 3, y + ROW / 2);
      }
    }
    ctx.globalAlpha = 1;
  }, [rects, rows, width, search, diff, maxChange, root.value]);

  const at = (event: MouseEvent): FlameRect | undefined => {
    const element = canvas.current;
    if (!element) return undefined;
    const bounds = element.getBoundingClientRect();
    const x = (event.clientX - bounds.left) / width;
    const depth = Math.floor((event.clientY - bounds.top) / ROW);
    return rects.find((r) => r.depth === depth && x >= r.x && x < r.x + r.width);
  };

  const share = (value: number, of: number) => (of > 0 ? `${((100 * value) / of).toFixed(2)} %` : '–');
  return (
    <div class="flame">
      <div class="flame-toolbar">
        <input
          type="search"
          placeholder="Search frames"
          aria-label="Search frames"
          value={search}
          onInput={(e) => onSearch((e.target as HTMLInputElement).value)}
        />
        {search !== '' && (
          <span class="search-result" data-testid="search-result">
            {found.matches} matching {found.matches === 1 ? 'frame' : 'frames'}, {share(found.value, root.value)} of total
          </span>
        )}
        {focus.length > 0 && (
          <button type="button" onClick={() => onFocus([])}>
            Reset zoom
          </button>
        )}
      </div>
      <nav class="breadcrumb" aria-label="Zoom path" data-testid="zoom-path">
        {['root', ...focus].map((name, i) => (
          <span key={i}>
            {i > 0 && ' › '}
            <a href="javascript:void 0" onClick={() => onFocus(focus.slice(0, i))}>
              {name}
            </a>
          </span>
        ))}
      </nav>
      <div ref={box} class="flame-canvas" onMouseLeave={() => setHover(undefined)}>
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Flame graph of ${formatValue(zoomed.value, unit)}`}
          onMouseMove={(e) => {
            const rect = at(e);
            setHover(rect ? { rect, x: e.offsetX, y: e.offsetY } : undefined);
          }}
          onClick={(e) => {
            const rect = at(e);
            if (rect) onFocus(rect.path);
          }}
        />
        {hover && (
          <div class="tooltip" role="tooltip" data-testid="flame-tooltip" style={{ left: `${Math.min(hover.x + 12, width - 320)}px`, top: `${hover.y + 16}px` }}>
            <div class="tooltip-name">{hover.rect.node.name}</div>
            <div>
              total {formatValue(hover.rect.node.value, unit)} ({share(hover.rect.node.value, root.value)})
            </div>
            <div>
              self {formatValue(hover.rect.node.self, unit)} ({share(hover.rect.node.self, root.value)})
            </div>
            {diff && hover.rect.node.base !== undefined && (
              <div>
                base {formatValue(hover.rect.node.base, unit)} → now {formatValue(hover.rect.node.value, unit)} ({hover.rect.node.value >= hover.rect.node.base ? '+' : ''}
                {share(hover.rect.node.value - hover.rect.node.base, root.value)} of total)
              </div>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

/** The longest prefix of `text` that fits `width` px, with an ellipsis when cut; '' when nothing fits. */
function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  const charWidth = ctx.measureText('m').width;
  const chars = Math.floor(width / charWidth) - 1;
  return chars >= 3 ? `${text.slice(0, chars)}…` : '';
}
