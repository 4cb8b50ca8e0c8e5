// SVG rendering of a traced diagram: longest-path layers top to bottom, one box per op, labelled wires, dashed module fences.
import { fmtBytes, fmtFlops, wireLabel } from './table.js';
import type { Diagram, DiagramOp, WireSource } from './trace.js';

const BOX_W = 236;
const BOX_H = 70;
const COL_W = 272;
const ROW_H = 128;
const MARGIN = 40;
/** Room on each side for wires that skip layers (routed around the boxes between). */
const SIDE = 90;
const MIN_W = 820;
const TOP = 80;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, n - 1) + '…' : s);

interface Placed {
  op: DiagramOp;
  layer: number;
  x: number;
  y: number;
}

/** What an op's box says in its title line: the op, and its activation or view parameters when short. */
function title(o: DiagramOp): string {
  const p = o.params as Record<string, unknown> | null;
  if (p && typeof p.activation === 'string' && p.activation !== 'none') return `${o.op} · ${p.activation}`;
  if (p && Array.isArray(p.dims) && (o.op === 'permute' || o.op === 'sum' || o.op === 'amax'))
    return `${o.op} (${p.dims.join(',')})`;
  return o.op;
}

/** The side inputs of an op (parameters, constants, folded views), named in its box. */
function sideInputs(o: DiagramOp, isDrawn: (s: WireSource) => boolean): string {
  return o.inputs
    .filter((x) => !isDrawn(x.from))
    .map((x) => `${x.label}[${x.shape.join(',')}]`)
    .join(' ');
}

/**
 * The diagram as an SVG document: example inputs at the top, ops in longest-path layers below (bold boxes
 * for learned ops), each wire labelled with its shape and axis names, each box with its forward/backward
 * FLOPs and saved bytes, dashed fences around each module's ops, totals at the bottom.
 */
export function renderSvg(d: Diagram): string {
  const visible = d.ops.filter((o) => !o.folded);
  const byId = new Map(d.ops.map((o) => [o.id, o]));
  const isDrawn = (s: WireSource): boolean =>
    s.kind === 'input' || (s.kind === 'op' && byId.get(s.op)?.folded === false);

  // longest-path layering: inputs on layer 0
  const layer = new Map<number, number>();
  for (const o of visible) {
    let l = 1;
    for (const x of o.inputs)
      if (x.from.kind === 'op' && layer.has(x.from.op)) l = Math.max(l, layer.get(x.from.op)! + 1);
    layer.set(o.id, l);
  }
  const nLayers = Math.max(0, ...layer.values());
  const rows: DiagramOp[][] = Array.from({ length: nLayers + 1 }, () => []);
  for (const o of visible) rows[layer.get(o.id)!].push(o);
  const width = Math.max(
    MIN_W,
    Math.max(d.inputs.length, ...rows.map((r) => r.length), 1) * COL_W + 2 * MARGIN + 2 * SIDE,
  );
  const colX = (i: number, n: number): number => width / 2 + (i - (n - 1) / 2) * COL_W;

  // positions: inputs on row 0, then each row ordered by the mean x of its producers (fewer crossings)
  const inputX = d.inputs.map((_, i) => colX(i, d.inputs.length));
  const placed = new Map<number, Placed>();
  const srcX = (s: WireSource): number | null =>
    s.kind === 'input' ? inputX[s.index] : s.kind === 'op' && placed.has(s.op) ? placed.get(s.op)!.x : null;
  for (let l = 1; l <= nLayers; l++) {
    const bary = (o: DiagramOp): number => {
      const xs = o.inputs.map((x) => srcX(x.from)).filter((v): v is number => v !== null);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : width / 2;
    };
    const row = rows[l].map((o, i) => ({ o, b: bary(o), i })).sort((a, b) => a.b - b.b || a.i - b.i);
    row.forEach(({ o }, i) =>
      placed.set(o.id, { op: o, layer: l, x: colX(i, row.length), y: TOP + l * ROW_H }),
    );
  }
  const height = TOP + (nLayers + 1) * ROW_H + 70;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>`,
    `<text x="${MARGIN}" y="28" font-size="16" font-weight="bold">circuit diagram</text>`,
    `<text x="${MARGIN}" y="46" font-size="11" fill="#444">boxes: ops (bold: learned; parameters named inside) · wires: [axis size, …] · dashed: modules</text>`,
    `<text x="${MARGIN}" y="60" font-size="11" fill="#444">per op: forward / backward FLOPs (backward only for inputs needing gradients) · bytes saved for backward</text>`,
  );

  // module fences (dashed), one per top-level module and per module one level below
  const fenceOf = new Map<string, Placed[]>();
  for (const p of placed.values()) {
    const segs = p.op.scope ? p.op.scope.split('/') : [];
    for (let k = 1; k <= Math.min(2, segs.length); k++) {
      const key = segs.slice(0, k).join('/');
      fenceOf.set(key, [...(fenceOf.get(key) ?? []), p]);
    }
  }
  for (const [key, ps] of fenceOf) {
    const depth = key.split('/').length;
    const pad = depth === 1 ? 14 : 7;
    const x0 = Math.min(...ps.map((p) => p.x)) - BOX_W / 2 - pad;
    const x1 = Math.max(...ps.map((p) => p.x)) + BOX_W / 2 + pad;
    const y0 = Math.min(...ps.map((p) => p.y)) - pad - (depth === 1 ? 14 : 0);
    const y1 = Math.max(...ps.map((p) => p.y)) + BOX_H + pad;
    const name = key.split('/').join('.');
    const cls = d.modules[key] ? ` ${d.modules[key]}` : '';
    parts.push(
      `<rect class="fence" x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#8a8a8a" stroke-dasharray="6 4" rx="6"/>`,
      `<text x="${x0 + 6}" y="${y0 + 11}" font-size="10" fill="#666">${esc(name + cls)}</text>`,
    );
  }

  // input ports
  d.inputs.forEach((inp, i) => {
    parts.push(
      `<rect class="input" x="${inputX[i] - 60}" y="${TOP + ROW_H - 112}" width="120" height="26" rx="13" fill="#eef5ff" stroke="#3b6fb6"/>`,
      `<text x="${inputX[i]}" y="${TOP + ROW_H - 95}" font-size="12" text-anchor="middle">${esc(inp.label)}</text>`,
    );
  });

  // wires into each op, labelled at their lower end with the shape and axis names
  const routed = { left: 0, right: 0 };
  const wire = (
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    label: string,
    k: number,
    l0: number,
    l1: number,
  ): void => {
    const my = (y0 + y1) / 2;
    let path = `M ${x0} ${y0} C ${x0} ${my}, ${x1} ${my}, ${x1} ${y1}`;
    const between = [...placed.values()].filter((q) => q.layer > l0 && q.layer < l1);
    if (between.length) {
      // a wire skipping layers goes around the boxes between, on the side nearer its source
      const lo = Math.min(...between.map((q) => q.x)) - BOX_W / 2;
      const hi = Math.max(...between.map((q) => q.x)) + BOX_W / 2;
      const left = x0 - lo < hi - x0;
      const n = left ? routed.left++ : routed.right++;
      const sx = left ? lo - 22 - 10 * (n % 6) : hi + 22 + 10 * (n % 6);
      const ya = y0 + 30;
      const yb = y1 - 36;
      path = `M ${x0} ${y0} C ${x0} ${ya}, ${sx} ${y0}, ${sx} ${ya + 20} L ${sx} ${yb - 20} C ${sx} ${y1 - 10}, ${x1} ${yb}, ${x1} ${y1}`;
    }
    parts.push(
      `<path class="wire" d="${path}" fill="none" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>`,
      `<text class="wire-label" x="${x1 + 4}" y="${y1 - 6 - 12 * k}" font-size="10" fill="#1d4f91">${esc(label)}</text>`,
    );
  };
  for (const p of placed.values()) {
    const drawn = p.op.inputs.filter((x) => isDrawn(x.from));
    drawn.forEach((x, k) => {
      const ex = p.x - BOX_W / 2 + ((k + 1) * BOX_W) / (drawn.length + 1);
      const s = x.from;
      if (s.kind === 'input')
        wire(inputX[s.index], TOP + ROW_H - 86, ex, p.y, wireLabel(x.shape, x.axes), k, 0, p.layer);
      else if (s.kind === 'op') {
        const q = placed.get(s.op)!;
        wire(q.x, q.y + BOX_H, ex, p.y, wireLabel(x.shape, x.axes), k, q.layer, p.layer);
      }
    });
  }

  // op boxes
  for (const p of placed.values()) {
    const o = p.op;
    const x0 = p.x - BOX_W / 2;
    const side = clip(sideInputs(o, isDrawn), 40);
    const f = o.flops;
    parts.push(
      `<g class="op" data-op="${esc(o.op)}" data-id="${o.id}">`,
      `<rect x="${x0}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="4" fill="${o.learned ? '#fff7e6' : '#f7f7f7'}" stroke="#222" stroke-width="${o.learned ? 3 : 1}"/>`,
      `<text x="${x0 + 8}" y="${p.y + 16}" font-size="12" font-weight="bold">${esc(clip(title(o), 34))}</text>`,
      `<text x="${x0 + 8}" y="${p.y + 31}" font-size="10" fill="#7a4b00">${esc(side)}</text>`,
      `<text x="${x0 + 8}" y="${p.y + 46}" font-size="10">fwd ${esc(fmtFlops(f.forward))} · bwd ${esc(fmtFlops(f.backward))}${f.exact ? '' : ' (est.)'}</text>`,
      `<text x="${x0 + 8}" y="${p.y + 61}" font-size="10" fill="#8b1a1a">saved ${esc(fmtBytes(o.savedBytes))}</text>`,
      `</g>`,
    );
  }

  // outputs
  d.outputs.forEach((out, i) => {
    if (out.from.kind !== 'op' || !placed.has(out.from.op)) return;
    const q = placed.get(out.from.op)!;
    const y1 = q.y + BOX_H + 40;
    parts.push(
      `<path class="wire" d="M ${q.x} ${q.y + BOX_H} L ${q.x} ${y1}" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>`,
      `<text class="wire-label" x="${q.x + 4}" y="${y1 - 8}" font-size="10" fill="#1d4f91">${esc(wireLabel(out.shape, out.axes))}</text>`,
      `<text x="${q.x}" y="${y1 + 14}" font-size="12" text-anchor="middle">output${d.outputs.length > 1 ? ' ' + i : ''}</text>`,
    );
  });

  const t = d.totals;
  parts.push(
    `<text x="${MARGIN}" y="${height - 20}" font-size="12">total: forward ${esc(fmtFlops(t.forwardFlops))} · backward ${esc(fmtFlops(t.backwardFlops))} · saved for backward ${esc(fmtBytes(t.savedBytes))}${t.uncounted.length ? esc(` · no FLOP rule: ${t.uncounted.join(', ')}`) : ''}</text>`,
    `</svg>`,
  );
  return parts.join('\n') + '\n';
}
