/**
 * Plant view: every machine of the selected subtree as a live card, grouped by area and line,
 * with a count of machines per state at the top.
 * @module
 */
import type { ApiAsset } from '../../../src/protocol/api-types.js';
import { MachineCard, cardTags } from '../components/machine-card.js';
import { t } from '../i18n/index.js';
import { useLiveValues } from '../live/use-live.js';
import { findAsset, isStale, machinesOf, stateClass, type MachineRef } from '../plant-model.js';
import { useTagCatalog } from '../tag-catalog.js';

/** The view. `path` narrows it to a site, area or line. */
export function PlantView({ assets, path }: { assets: readonly ApiAsset[]; path: string }) {
  const root = path ? findAsset(assets, path) : undefined;
  const machines = machinesOf(root ? [root] : assets);
  const values = useLiveValues(machines.flatMap((m) => cardTags(m.asset)));
  // One catalog request for the whole view, not one per card.
  const catalog = useTagCatalog([path ? `${path}/` : '']);

  const counts = { running: 0, idle: 0, fault: 0, stale: 0 };
  for (const m of machines) {
    const p = values.get(`${m.asset.path}/state`);
    // A stale machine counts as stale only: its last state may no longer be true.
    if (isStale(p)) counts.stale++;
    else if (stateClass(p) !== 'unknown') counts[stateClass(p) as 'running' | 'idle' | 'fault']++;
  }
  // Group by everything above the machine (site/area/line), keeping tree order.
  const groups = new Map<string, MachineRef[]>();
  for (const m of machines) {
    const key = m.levels.slice(0, -1).join('/');
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return (
    <section class="view plant-view" data-testid="plant-view">
      <div class="view-head">
        <h1>{path ? path.split('/').join(' › ') : t('plant.title')}</h1>
        <span class="muted">{t('plant.machines', { n: machines.length })}</span>
        <span class="summary" data-testid="plant-summary">
          <span class="sum state-running"><b>{counts.running}</b> {t('state.running')}</span>
          <span class="sum state-idle"><b>{counts.idle}</b> {t('state.idle')}</span>
          <span class="sum state-fault"><b>{counts.fault}</b> {t('state.fault')}</span>
          <span class="sum state-stale"><b>{counts.stale}</b> {t('badge.stale')}</span>
        </span>
      </div>
      {[...groups].map(([group, ms]) => (
        <div class="line-group" key={group}>
          <h2 class="group-title">{group.split('/').join(' › ')}</h2>
          <div class="cards">{ms.map((m) => <MachineCard key={m.asset.path} machine={m.asset} values={values} catalog={catalog} />)}</div>
        </div>
      ))}
    </section>
  );
}
