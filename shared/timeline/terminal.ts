import type { Marker, Segment, Timeline } from './model';

const PHASE_CHAR: Readonly<Record<Segment['phase'], string>> = { pending: '.', running: '#', stopping: '~' };
const MARKER_CHAR: Readonly<Record<Marker['kind'], string>> = { requested: 'R', rolled: 'r', succeeded: 'S', failed: 'F', 'rolled-back': 'B' };
const LABEL_WIDTH = 28;

/**
 * The timeline as plain text lines for a terminal: one row per task, lanes
 * grouped by service, a marker row, the snapshot gate and portal-api's down
 * time on the same axis, then the markers spelled out. ASCII only, so it
 * reads the same piped into a file.
 *
 * @example
 * printLines(io, timelineLines(buildTimeline(...), 72));
 */
export function timelineLines(t: Timeline, width = 72): string[] {
  const span = Math.max(1, t.to - t.from);
  const col = (at: number): number => Math.min(width - 1, Math.max(0, Math.floor(((at - t.from) / span) * width)));
  const row = (fill: (line: string[]) => void): string => { const line = Array<string>(width).fill(' '); fill(line); return line.join('').trimEnd(); };
  const paint = (line: string[], from: number, to: number, char: string): void => { for (let c = col(from); c <= Math.max(col(from), col(to) - 1); c += 1) line[c] = char; };
  const label = (text: string): string => (text.length > LABEL_WIDTH - 1 ? `${text.slice(0, LABEL_WIDTH - 2)}~ ` : text.padEnd(LABEL_WIDTH));
  const lines = [`${t.env}: ${iso(t.from)} to ${iso(t.to)} (${seconds(span)}, one column = ${seconds(span / width)})`];
  // Markers closer than one column keep their order: each takes the next free column.
  lines.push(label('deployments') + row((line) => { for (const m of t.markers) { let c = col(m.at); while (c < width - 1 && line[c] !== ' ') c += 1; line[c] = MARKER_CHAR[m.kind]; } }));
  if (t.gates.length > 0) lines.push(label('snapshot gate') + row((line) => { for (const g of t.gates) paint(line, g.from, g.to, '='); }));
  for (const lane of t.lanes) {
    lane.tasks.forEach((task, i) => {
      const name = i === 0 ? lane.service : '';
      lines.push(label(`${name.padEnd(LABEL_WIDTH - 8)} ${task.taskArn.slice(-6)}`) + row((line) => { for (const s of task.segments) paint(line, s.from, s.to, PHASE_CHAR[s.phase]); }));
    });
  }
  if (t.lanes.some((l) => l.service === 'portal-api')) {
    const down = t.portalApiDown.reduce((sum, g) => sum + (g.to - g.from), 0);
    lines.push(label('portal-api down') + row((line) => { for (const g of t.portalApiDown) paint(line, g.from, g.to, 'X'); }) + (down > 0 ? `  ${seconds(down)}` : '  never'));
  }
  lines.push('', 'legend: . pending  # running  ~ stopping  = snapshot gate  X portal-api down  R requested  r rolling  S succeeded  F failed  B rolled back');
  for (const m of t.markers) lines.push(`  ${MARKER_CHAR[m.kind]} ${iso(m.at)}  ${m.label}`);
  return lines;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
