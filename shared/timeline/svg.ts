import type { Marker, Segment, Timeline } from './model';

const WIDTH = 1000;
const LABEL = 180;
const ROW = 18;
const COLORS: Readonly<Record<Segment['phase'], string>> = { pending: '#f2c14e', running: '#3a9d5d', stopping: '#8c8c8c' };
const MARKER_COLORS: Readonly<Record<Marker['kind'], string>> = { requested: '#2f6fdb', rolled: '#7b4fd6', succeeded: '#1b8a3a', failed: '#c62828', 'rolled-back': '#e65100' };

/**
 * The timeline as one self-contained HTML page: inline SVG and CSS, no
 * script, no network. Every drawn thing carries a class and data attributes
 * (`rect.task.running[data-service]`, `line.marker.succeeded[data-deployment]`,
 * `rect.gate`, `rect.down`) so a test or a reader's tools can find it.
 *
 * @example
 * await writeFile('rollout.html', timelineHtml(buildTimeline(...)));
 */
export function timelineHtml(t: Timeline): string {
  const span = Math.max(1, t.to - t.from);
  const x = (at: number): number => round(LABEL + ((at - t.from) / span) * (WIDTH - LABEL - 10));
  const rows: string[] = [];
  let y = 40;
  const band = (label: string, shapes: string): void => { rows.push(`<text class="label" x="4" y="${y + 13}">${esc(label)}</text>${shapes}`); y += ROW + 4; };
  band('snapshot gate', t.gates.map((g) => `<rect class="gate" data-state="${esc(g.state)}" x="${x(g.from)}" y="${y}" width="${Math.max(1, x(g.to) - x(g.from))}" height="${ROW}" fill="#5c9ded"><title>pre-deploy snapshot ${esc(g.state)} for ${esc(g.deploymentIds.join(', '))}</title></rect>`).join(''));
  for (const lane of t.lanes) {
    lane.tasks.forEach((task, i) => {
      const shapes = task.segments.map((s) => `<rect class="task ${s.phase}" data-service="${esc(lane.service)}" data-task="${esc(task.taskArn)}" x="${x(s.from)}" y="${y}" width="${Math.max(1, x(s.to) - x(s.from))}" height="${ROW}" fill="${COLORS[s.phase]}"><title>${esc(lane.service)} ${esc(task.taskArn.slice(-12))} ${s.phase} ${iso(s.from)} to ${iso(s.to)}</title></rect>`).join('');
      band(i === 0 ? lane.service : '', shapes);
    });
  }
  band('portal-api down', t.portalApiDown.map((g) => `<rect class="down" x="${x(g.from)}" y="${y}" width="${Math.max(1, x(g.to) - x(g.from))}" height="${ROW}" fill="#c62828"><title>portal-api down ${iso(g.from)} to ${iso(g.to)}</title></rect>`).join(''));
  const height = y + 30;
  const markers = t.markers.map((m) => `<line class="marker ${m.kind}" data-deployment="${esc(m.deploymentId)}" x1="${x(m.at)}" x2="${x(m.at)}" y1="30" y2="${y}" stroke="${MARKER_COLORS[m.kind]}" stroke-width="2"><title>${esc(m.label)} at ${iso(m.at)}</title></line>`).join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => { const at = t.from + f * span; return `<text class="tick" x="${x(at)}" y="${height - 8}" text-anchor="${f === 1 ? 'end' : 'middle'}">${iso(at).slice(11)}</text>`; }).join('');
  const legend = t.markers.map((m) => `<li style="color:${MARKER_COLORS[m.kind]}">${iso(m.at)} ${esc(m.label)}</li>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="rollout timeline of ${esc(t.env)}"><text x="4" y="20" class="title">${esc(t.env)}: ${iso(t.from)} to ${iso(t.to)}</text>${rows.join('')}${markers}${ticks}</svg>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wicked ${esc(t.env)} rollout timeline</title>
<style>body{font:13px system-ui,sans-serif;margin:16px;background:#fff;color:#222}svg text{font:12px monospace;fill:#222}svg .title{font-weight:bold}ul{list-style:none;padding:0}</style></head>
<body>${svg}
<p><span style="background:${COLORS.pending}">&nbsp;&nbsp;&nbsp;</span> pending &nbsp; <span style="background:${COLORS.running}">&nbsp;&nbsp;&nbsp;</span> running &nbsp; <span style="background:${COLORS.stopping}">&nbsp;&nbsp;&nbsp;</span> stopping &nbsp; <span style="background:#5c9ded">&nbsp;&nbsp;&nbsp;</span> snapshot gate &nbsp; <span style="background:#c62828">&nbsp;&nbsp;&nbsp;</span> portal-api down</p>
<ul>${legend}</ul></body></html>
`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
