/**
 * A machine on the plant view: its state as colour and word, a stale badge that cannot be missed,
 * and its key values.
 * @module
 */
import type { ApiAsset, ApiPoint, ApiTag } from '../../../src/protocol/api-types.js';
import { t } from '../i18n/index.js';
import { isStale, keyTags, stateClass, tagLabel, unitFor } from '../plant-model.js';
import { href } from '../router.js';
import { ValueText } from './value-text.js';

/** Props of {@link MachineCard}. */
export interface MachineCardProps {
  machine: ApiAsset;
  values: ReadonlyMap<string, ApiPoint>;
  /** The view's tag catalog (units, descriptions); empty while it loads. */
  catalog: ReadonlyMap<string, Pick<ApiTag, 'unit' | 'description'>>;
  /** Link to the machine view (default); the public showcase page links nowhere. */
  link?: boolean;
}

/** The tags a card shows (state first), as full paths, so the view can subscribe to them. */
export function cardTags(machine: ApiAsset): string[] {
  const names = keyTags(machine.tags);
  if (machine.tags.includes('state')) names.unshift('state');
  return names.map((n) => `${machine.path}/${n}`);
}

/** The card. */
export function MachineCard({ machine, values, catalog, link = true }: MachineCardProps) {
  const state = values.get(`${machine.path}/state`);
  const keys = keyTags(machine.tags);
  // Stale if the state or any shown value went bad: the card must not look healthy on old data.
  const stale = isStale(state) || keys.some((k) => isStale(values.get(`${machine.path}/${k}`)));
  const uncertain = !stale && state?.quality === 'uncertain';
  const cls = stateClass(state);
  const Tag = link ? 'a' : 'div';
  return (
    <Tag href={link ? href('machine', machine.path) : undefined} class={`card machine-card state-${stale ? 'unknown' : cls}${stale ? ' stale' : ''}`} data-testid={`card-${machine.path}`} data-state={cls} data-stale={stale ? '1' : '0'}>
      <div class="card-head">
        <span class="card-name">{machine.name}</span>
        {stale ? <span class="badge badge-stale">{t('badge.stale')}</span> : uncertain ? <span class="badge badge-uncertain">{t('badge.uncertain')}</span> : null}
        {/* The last known state stays readable, but greyed: stale data must not look like a healthy green. */}
        <span class={`state-chip state-${stale ? 'unknown' : cls}`}>{t(`state.${cls}`)}</span>
      </div>
      <dl class="kv">
        {keys.map((k) => {
          const tag = `${machine.path}/${k}`;
          return (
            <div key={k}>
              <dt title={catalog.get(tag)?.description}>{tagLabel(k)}</dt>
              <dd data-tag={tag}><ValueText point={values.get(tag)} unit={unitFor(tag, catalog)} /></dd>
            </div>
          );
        })}
      </dl>
    </Tag>
  );
}
