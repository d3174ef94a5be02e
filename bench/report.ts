import type { BenchRun, EngineRun } from './bench';

interface Result {
  startedAt: string;
  quick: boolean;
  machine: Record<string, unknown>;
  ledger: string;
  runs: BenchRun[];
  engine?: EngineRun[];
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const label = (run: BenchRun) =>
  `${run.flow} · ${run.customers.toLocaleString('en')} · limits ${run.limits} · ${run.side}`;

/** A horizontal bar per item, scaled to the largest; the number is printed beside each bar. */
function bars(title: string, items: { label: string; value: number; side?: string }[], unit: string): string {
  if (items.length === 0) return '';
  const max = Math.max(...items.map((i) => i.value), 1e-9);
  const row = 22;
  const width = 900;
  const labelWidth = 430;
  const body = items
    .map((item, index) => {
      const y = index * row;
      const w = Math.max(1, ((width - labelWidth - 120) * item.value) / max);
      const colour = item.side === 'baseline' ? '#9aa5b1' : item.side === 'service' ? '#1f9d55' : '#2f6fed';
      return `<text x="0" y="${y + 15}" font-size="12">${escape(item.label)}</text><rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="14" fill="${colour}"/><text x="${labelWidth + w + 6}" y="${y + 15}" font-size="12">${item.value.toLocaleString('en', { maximumFractionDigits: 3 })} ${unit}</text>`;
    })
    .join('');
  return `<h2>${escape(title)}</h2><svg width="${width}" height="${items.length * row + 4}" role="img" aria-label="${escape(title)}">${body}</svg>`;
}

/** `side` ÷ `over` (Switchyard's CLI ÷ baseline, service ÷ CLI), for each scenario that has both. */
export function ratios(
  runs: BenchRun[],
  side: BenchRun['side'] = 'switchyard',
  over: BenchRun['side'] = 'baseline',
) {
  return runs
    .filter((run) => run.side === side)
    .flatMap((run) => {
      const base = runs.find(
        (b) =>
          b.side === over && b.flow === run.flow && b.customers === run.customers && b.limits === run.limits,
      );
      return base
        ? [{ run, cpu: run.cpuPerRecordMs / base.cpuPerRecordMs, wall: run.wallMs / base.wallMs }]
        : [];
    });
}

const share = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : `${(value * 100).toFixed(0)}%`;

export function renderHtml(result: Result): string {
  const runs = result.runs;
  const hub = runs.filter((r) => r.side === 'switchyard');
  const pairs = ratios(runs);
  const service = ratios(runs, 'service', 'switchyard');
  const table = `<table><tr><th>run</th><th>records</th><th>wall s</th><th>records/s</th><th>CPU ms/record</th><th>peak RSS MB</th><th>requests/record</th><th>429s</th><th>sandbox CPU</th><th>ceiling</th><th>budget used</th><th>batch fill</th><th>destination records (duplicates)</th><th>status</th></tr>${runs
    .map(
      (r) =>
        `<tr><td>${escape(label(r))}</td><td>${r.records}</td><td>${(r.wallMs / 1000).toFixed(1)}</td><td>${r.recordsPerSecond}</td><td>${r.cpuPerRecordMs}</td><td>${r.maxRssMb}</td><td>${r.requestsPerRecord}</td><td>${r.throttled}</td><td>${(r.sandboxCpuShare * 100).toFixed(0)}%</td><td>${share(r.ceilingShare)}</td><td>${share(r.budgetShare)}</td><td>${share(r.batchFill)}</td><td>${r.destination ? `${r.destination.records} (${r.destination.duplicates})` : ''}</td><td>${escape(r.status)}</td></tr>`,
    )
    .join('')}</table>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchyard benchmark ${escape(result.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #cbd2d9;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}h2{margin-top:28px;font-size:16px}</style></head><body>
<h1>Switchyard benchmark${result.quick ? ' (quick)' : ''}</h1>
<p>${escape(result.startedAt)} · ${escape(
    Object.entries(result.machine)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(' · '),
  )} · ledger ${escape(result.ledger)}. Blue: Switchyard's CLI; green: the same plan through service mode (admin API, two workers, Postgres ledger, budgets shared in Redis); grey: the plain-SDK baseline on the same sandboxes in the same run.</p>
${table}
${engineTable(result.engine ?? [])}
${bars(
  'Switchyard ÷ baseline: CPU per record',
  pairs.map((p) => ({ label: label(p.run), value: Number(p.cpu.toFixed(2)) })),
  '×',
)}
${bars(
  'Switchyard ÷ baseline: wall time',
  pairs.map((p) => ({ label: label(p.run), value: Number(p.wall.toFixed(2)) })),
  '×',
)}
${bars(
  'Service mode ÷ CLI: wall time',
  service.map((p) => ({ label: label(p.run), value: Number(p.wall.toFixed(2)), side: 'service' })),
  '×',
)}
${bars(
  'Hub CPU per record',
  runs.map((r) => ({ label: label(r), value: r.cpuPerRecordMs, side: r.side })),
  'ms',
)}
${bars(
  'Records per second, per entity',
  hub.flatMap((r) => r.entities.map((e) => ({ label: `${label(r)} · ${e.entity}`, value: e.perSecond }))),
  '/s',
)}
${bars(
  'Peak RSS',
  runs.map((r) => ({ label: label(r), value: r.maxRssMb, side: r.side })),
  'MB',
)}
${bars(
  'Requests per record (both platforms)',
  runs.map((r) => ({ label: label(r), value: r.requestsPerRecord, side: r.side })),
  '',
)}
${bars(
  "Share of the destination's documented ceiling (limits on)",
  runs
    .filter((r) => r.ceilingShare !== null)
    .map((r) => ({ label: label(r), value: Number((r.ceilingShare! * 100).toFixed(1)), side: r.side })),
  '%',
)}
${bars(
  'Sandboxes’ share of the CPU',
  runs.map((r) => ({ label: label(r), value: Number((r.sandboxCpuShare * 100).toFixed(1)), side: r.side })),
  '%',
)}
</body></html>
`;
}

/** The engine alone (a destination that only acknowledges): a first pass and an unchanged one per ledger. */
function engineTable(engine: EngineRun[]): string {
  if (engine.length === 0) return '';
  return `<h2>The engine alone: a Shopify store read in bulk into a destination that only acknowledges</h2><table><tr><th>ledger</th><th>pass</th><th>records</th><th>wall s</th><th>records/s</th><th>CPU ms/record</th><th>peak RSS MB</th><th>status</th></tr>${engine
    .map(
      (r) =>
        `<tr><td>${escape(r.ledger)}</td><td>${escape(r.pass)}</td><td>${r.records}</td><td>${(r.wallMs / 1000).toFixed(1)}</td><td>${r.recordsPerSecond}</td><td>${r.cpuPerRecordMs}</td><td>${r.maxRssMb}</td><td>${escape(r.status)}</td></tr>`,
    )
    .join('')}</table>`;
}
