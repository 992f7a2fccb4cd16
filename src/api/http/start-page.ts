/**
 * The start page at `/`: a small live overview built only from the public REST API (plant tree,
 * latest values, ingest health) until the full web dashboard lands.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../services.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Lightsout</title>
<style>
 :root{color-scheme:dark;--bg:#0f1419;--fg:#e6e6e6;--mut:#8a96a3;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--card:#161b22}
 body{margin:0;font:14px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
 header{display:flex;gap:1.5rem;align-items:baseline;padding:.8rem 1.2rem;border-bottom:1px solid #30363d}
 header h1{font-size:1.1rem;margin:0} header a{color:#58a6ff}
 main{padding:1rem 1.2rem;display:grid;gap:1rem}
 .stats span{margin-right:1.5rem;color:var(--mut)} .stats b{color:var(--fg)}
 details{background:var(--card);border-radius:6px;padding:.3rem .8rem;margin:.3rem 0}
 summary{cursor:pointer;font-weight:600} table{border-collapse:collapse;width:100%}
 td{padding:.15rem .6rem;border-top:1px solid #21262d} td.v{text-align:right;font-variant-numeric:tabular-nums}
 .q-bad{color:var(--bad)} .q-uncertain{color:var(--warn)} .mut{color:var(--mut)}
</style></head><body>
<header><h1>Lightsout</h1><span class="mut" id="tenant"></span><a href="/api/docs">API (OpenAPI)</a><a href="/api/v1/health">health</a></header>
<main><div class="stats" id="stats">loading…</div><div id="tree"></div></main>
<script type="module">
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const machines = [];
function walk(node, depth) {
  if (node.tags.length) machines.push(node);
  const inner = node.children.map((c) => walk(c, depth + 1)).join('');
  const tags = node.tags.length ? '<table>' + node.tags.map((t) => '<tr><td>' + esc(t) + '</td><td class="v" data-tag="' + esc(node.path + '/' + t) + '">…</td></tr>').join('') + '</table>' : '';
  return '<details' + (depth < 3 ? ' open' : '') + '><summary>' + esc(node.name) + '</summary>' + tags + inner + '</details>';
}
async function load() {
  const a = await (await fetch('/api/v1/assets')).json();
  $('tenant').textContent = 'tenant ' + a.tenant;
  $('tree').innerHTML = a.assets.map((n) => walk(n, 0)).join('') || '<p class="mut">No data yet: publish to uns/&lt;tenant&gt;/… or Sparkplug B.</p>';
}
let knownTags = -1;
async function refresh() {
  const h = await (await fetch('/api/v1/health')).json();
  if (h.ingest.tags !== knownTags) { knownTags = h.ingest.tags; await load(); }
  $('stats').innerHTML = '<span>status <b>' + h.status + '</b></span><span>ingest <b>' + Math.round(h.ingest.pointsPerSecond) + '</b> points/s</span><span>tags <b>' + h.ingest.tags + '</b></span><span>rejected <b>' + h.rejected.total + '</b></span><span>stored <b>' + h.historian.points + '</b> points</span>';
  const cells = [...document.querySelectorAll('[data-tag]')];
  for (let i = 0; i < cells.length; i += 200) {
    const q = cells.slice(i, i + 200).map((c) => 'tag=' + encodeURIComponent(c.dataset.tag)).join('&');
    const r = await (await fetch('/api/v1/latest?' + q)).json();
    const by = new Map(r.points.map((p) => [p.tag, p]));
    for (const c of cells.slice(i, i + 200)) {
      const p = by.get(c.dataset.tag); if (!p) continue;
      c.textContent = typeof p.value === 'number' ? p.value.toLocaleString(undefined, { maximumFractionDigits: 2 }) : String(p.value);
      c.className = 'v q-' + p.quality; c.title = p.quality + ' · ' + new Date(p.ts).toLocaleString();
    }
  }
}
await refresh(); setInterval(() => refresh().catch(() => {}), 2000);
</script></body></html>`;

/** Register `/`. */
export function startPage(app: FastifyInstance, _s: ApiServices): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
