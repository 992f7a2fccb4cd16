/**
 * The OPC UA node picker: browse the server's address space as a tree (children load when a
 * node opens), tick variables, and add them as tags under an asset path.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiBrowseNode, BrowseResponse } from '../../../src/protocol/connector-types.js';
import { getJson } from '../api.js';
import { t } from '../i18n/index.js';

/** A browse name made into one tag-path level. */
function level(name: string): string {
  return name.replace(/^\d+:/, '').replace(/[/+#\s]+/g, '_');
}

function Branch({ connector, node, trail, picked, toggle }: { connector: string; node: ApiBrowseNode; trail: string[]; picked: Map<string, string[]>; toggle: (n: ApiBrowseNode, trail: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [kids, setKids] = useState<{ nodes?: ApiBrowseNode[]; error?: string }>({});
  const here = [...trail, level(node.browseName)];
  const expand = async () => {
    setOpen(!open);
    if (kids.nodes || open) return;
    try {
      const r = await getJson<BrowseResponse>(`/api/v1/connectors/${encodeURIComponent(connector)}/browse?nodeId=${encodeURIComponent(node.nodeId)}`);
      setKids({ nodes: r.nodes });
    } catch (e) {
      setKids({ error: (e as Error).message });
    }
  };
  const variable = node.nodeClass === 'Variable';
  return (
    <li>
      {node.hasChildren ? <button class="icon-btn small" aria-expanded={open} onClick={() => void expand()} data-testid={`pick-open-${node.browseName}`}>{open ? '▾' : '▸'}</button> : <span class="tree-pad" />}
      {variable ? (
        <label><input type="checkbox" checked={picked.has(node.nodeId)} onChange={() => toggle(node, here)} data-testid={`pick-${node.browseName}`} /> {node.displayName} <span class="muted small">{node.dataType ?? ''} · <span class="mono">{node.nodeId}</span></span></label>
      ) : <span>{node.displayName} <span class="muted small">{node.nodeClass}</span></span>}
      {open && kids.error ? <div class="error small">{kids.error}</div> : null}
      {open && kids.nodes ? (
        <ul class="pick-tree">{kids.nodes.map((k) => <Branch key={k.nodeId} connector={connector} node={k} trail={here} picked={picked} toggle={toggle} />)}</ul>
      ) : null}
    </li>
  );
}

/** The picker; `onAdd` gets the chosen nodes with their tag paths. */
export function NodePicker({ connector, prefix, onAdd }: { connector: string; prefix: string; onAdd: (nodes: Array<{ nodeId: string; tag: string }>) => void }) {
  const [roots, setRoots] = useState<{ nodes?: ApiBrowseNode[]; error?: string; loading?: boolean }>({});
  const [picked, setPicked] = useState(new Map<string, string[]>());
  const [base, setBase] = useState(prefix);
  if (!roots.nodes && !roots.error && !roots.loading) {
    setRoots({ loading: true });
    getJson<BrowseResponse>(`/api/v1/connectors/${encodeURIComponent(connector)}/browse`).then((r) => setRoots({ nodes: r.nodes }), (e: Error) => setRoots({ error: e.message }));
  }
  const toggle = (n: ApiBrowseNode, trail: string[]) => {
    const next = new Map(picked);
    if (next.has(n.nodeId)) next.delete(n.nodeId);
    else next.set(n.nodeId, trail);
    setPicked(next);
  };
  // The tag is the asset path plus the node's last browse name (its parents usually name the machine).
  const chosen = [...picked].map(([nodeId, trail]) => ({ nodeId, tag: [base.replace(/\/+$/, ''), ...trail.slice(-2)].filter((x) => x).join('/') }));
  return (
    <div class="node-picker" data-testid="node-picker">
      <p class="muted small">{t('conn.pickHint')}</p>
      {roots.error ? <p class="banner" role="alert">{roots.error}</p> : null}
      <ul class="pick-tree">{(roots.nodes ?? []).map((n) => <Branch key={n.nodeId} connector={connector} node={n} trail={[]} picked={picked} toggle={toggle} />)}</ul>
      <div class="form-grid">
        <label><span>{t('conn.pickPrefix')}</span><input value={base} data-testid="pick-prefix" list="asset-paths" onInput={(e) => setBase((e.currentTarget as HTMLInputElement).value)} /></label>
        {chosen.length > 0 ? <ul class="small mono">{chosen.map((c) => <li key={c.nodeId}>{c.nodeId} → {c.tag}</li>)}</ul> : null}
        <div><button class="btn primary" disabled={chosen.length === 0 || !base.trim()} onClick={() => onAdd(chosen)} data-testid="pick-add">{t('conn.pickAdd', { n: chosen.length })}</button></div>
      </div>
    </div>
  );
}
