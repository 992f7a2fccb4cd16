/**
 * Rules (`#/rules`, `?id=` opens one, `?new=1` a blank one; `?tab=templates` the templates,
 * `&template=` one of them): every rule and template instance the user may see, with the ones
 * that cannot be evaluated flagged, and the editor. A template instance opens its template.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiRule, ApiRuleTemplate } from '../../../src/protocol/alarm-types.js';
import type { ApiAsset } from '../../../src/protocol/api-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { canSomewhere } from '../auth/session.js';
import { t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/en.js';
import { useObservable } from '../observable.js';
import { href, navigate, route } from '../router.js';
import { useLoad } from '../use-load.js';
import { priorityLabel } from './alarm-labels.js';
import { AlarmTabs } from './alarm-tabs.js';
import { fetchRules, fetchTemplates } from './alarms-api.js';
import { draftOf, emptyDraft } from './rule-draft.js';
import { RuleForm } from './rule-form.js';

const q = (o: Record<string, string>) => new URLSearchParams(o);

function conditionText(r: ApiRule | ApiRuleTemplate): string {
  const c = r.condition;
  switch (c.kind) {
    case 'threshold': return `${c.tag} ${c.op} ${c.limit}`;
    case 'rate-of-change': return `|Δ${c.tag}| > ${c.limitPerMinute}/min`;
    case 'deviation': return `|${c.tag} − ${c.setpointTag}| > ${c.limit}`;
    case 'stale': return `${c.tag} ${t('rule.staleAfter', { s: c.afterS })}`;
    default: return c.expression;
  }
}

/** Every asset path of the tree, and the machine types in use (the editor's suggestions). */
function assetChoices(tree: readonly ApiAsset[]): { paths: string[]; types: string[] } {
  const paths: string[] = [];
  const types = new Set<string>();
  const walk = (list: readonly ApiAsset[]) => {
    for (const a of list) {
      paths.push(a.path);
      if (a.machineType) types.add(a.machineType);
      walk(a.children);
    }
  };
  walk(tree);
  return { paths, types: [...types].sort() };
}

/** The view; `assets` is the tree (suggestions for the asset and machine type fields). */
export function RulesView({ me, assets = [] }: { me: Me; assets?: readonly ApiAsset[] }) {
  const r = useObservable(route);
  const tab = r.params.get('tab') === 'templates' ? 'templates' : 'rules';
  const rules = useLoad((s) => fetchRules(s), []);
  const templates = useLoad((s) => fetchTemplates(s), []);
  const engineer = canSomewhere(me, 'engineer');
  const selected = r.params.get('id');
  const tplSel = r.params.get('template');
  const adding = r.params.get('new') === '1';
  const reload = () => { rules.reload(); templates.reload(); };
  const [filter, setFilter] = useState('');
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (x: ApiRule | ApiRuleTemplate) => {
    const hay = `${x.name} ${x.id} ${'asset' in x ? x.asset : x.machineType} ${x.alarm.priority}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  };
  const rule = selected ? rules.data?.find((x) => x.id === selected) : undefined;
  const tpl = tplSel ? templates.data?.find((x) => x.id === tplSel) : undefined;
  const choices = assetChoices(assets);
  return (
    <section class="view rules-view" data-testid="rules-view">
      <datalist id="rule-asset-list">{choices.paths.map((x) => <option value={x} />)}</datalist>
      <datalist id="rule-type-list">{choices.types.map((x) => <option value={x} />)}</datalist>
      <AlarmTabs view="rules" />
      <div class="view-head">
        <h1>{t('rule.title')}</h1>
        <nav class="seg">
          <button class={tab === 'rules' ? 'on' : ''} data-testid="rules-tab-rules" onClick={() => navigate(href('rules'))}>{t('rule.rules')}</button>
          <button class={tab === 'templates' ? 'on' : ''} data-testid="rules-tab-templates" onClick={() => navigate(href('rules', '', q({ tab: 'templates' })))}>{t('rule.templates')}</button>
        </nav>
        <input type="search" value={filter} placeholder={t('rule.filter')} aria-label={t('rule.filter')} data-testid="rules-filter" onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} />
        <span class="spacer" />
        {engineer ? <a class="btn primary" data-testid="rule-new" href={href('rules', '', q(tab === 'templates' ? { tab: 'templates', new: '1' } : { new: '1' }))}>{tab === 'templates' ? t('rule.newTemplate') : t('rule.new')}</a> : null}
      </div>
      {rules.error || templates.error ? <p class="banner" role="alert">{t('error.load', { message: rules.error || templates.error })}</p> : null}
      {tab === 'rules' ? (
        <>
          {adding ? <RuleForm key="new" mode="rule" initial={emptyDraft(r.params.get('asset') ?? '')} existing={false} onSaved={(id) => { reload(); navigate(href('rules', '', q({ id })), true); }} onDeleted={reload} /> : null}
          {rule ? <RuleForm key={rule.id + (rule.updatedTs ?? '')} mode="rule" initial={draftOf(rule)} existing readOnly={!!rule.templateId} onSaved={reload} onDeleted={() => { reload(); navigate(href('rules')); }} /> : null}
          {rule?.templateId ? <p><a href={href('rules', '', q({ tab: 'templates', template: rule.templateId }))}>{t('rule.openTemplate', { id: rule.templateId })}</a></p> : null}
          <div class="table-wrap">
            <table class="rules-table" data-testid="rules-table">
              <thead><tr><th>{t('rule.name')}</th><th>{t('rule.asset')}</th><th>{t('rule.kind')}</th><th>{t('rule.condition')}</th><th>{t('alarm.priority')}</th><th>{t('rule.enabled')}</th></tr></thead>
              <tbody>
                {(rules.data ?? []).filter(matches).map((x) => (
                  <tr key={x.id} data-testid="rule-row" data-rule={x.id} class={`${x.problem ? 'row-bad' : ''}${x.id === selected ? ' row-selected' : ''}${x.enabled ? '' : ' row-off'}`}>
                    <td><a href={href('rules', '', q({ id: x.id }))}>{x.name}</a><div class="muted small mono">{x.id}</div>
                      {x.templateId ? <span class="pill">{t('rule.fromTemplate')}</span> : null}
                      {x.problem ? <div class="error small" data-testid="rule-problem">⚠ {x.problem}</div> : null}</td>
                    <td class="mono small wrap">{x.asset}</td>
                    <td class="small">{t(`rule.kind.${x.condition.kind}` as MessageKey)}</td>
                    <td class="mono small wrap">{conditionText(x)}</td>
                    <td><span class={`prio-chip prio-${x.alarm.priority}`}>{priorityLabel(x.alarm.priority)}</span></td>
                    <td>{x.enabled ? <span class="pill on">{t('rule.on')}</span> : <span class="pill off">{t('rule.off')}</span>}</td>
                  </tr>
                ))}
                {rules.data && rules.data.length === 0 ? <tr><td colSpan={6} class="muted">{t('rule.none')}</td></tr> : null}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <>
          {adding ? <RuleForm key="new-tpl" mode="template" initial={emptyDraft()} existing={false} onSaved={(id) => { reload(); navigate(href('rules', '', q({ tab: 'templates', template: id })), true); }} onDeleted={reload} /> : null}
          {tpl ? <RuleForm key={tpl.id + (tpl.updatedTs ?? '')} mode="template" initial={draftOf(tpl)} existing testAsset={tpl.assets[0]} onSaved={reload} onDeleted={() => { reload(); navigate(href('rules', '', q({ tab: 'templates' }))); }} /> : null}
          <div class="table-wrap">
            <table data-testid="templates-table">
              <thead><tr><th>{t('rule.name')}</th><th>{t('rule.machineType')}</th><th>{t('rule.condition')}</th><th>{t('alarm.priority')}</th><th class="r">{t('rule.instances')}</th></tr></thead>
              <tbody>
                {(templates.data ?? []).filter(matches).map((x) => (
                  <tr key={x.id} data-testid="template-row" class={x.id === tplSel ? 'row-selected' : ''}>
                    <td><a href={href('rules', '', q({ tab: 'templates', template: x.id }))}>{x.name}</a><div class="muted small mono">{x.id}</div></td>
                    <td class="mono">{x.machineType}</td>
                    <td class="mono small wrap">{conditionText(x)}</td>
                    <td><span class={`prio-chip prio-${x.alarm.priority}`}>{priorityLabel(x.alarm.priority)}</span></td>
                    <td class="r" title={x.assets.join('\n')}>{x.assets.length}</td>
                  </tr>
                ))}
                {templates.data && templates.data.length === 0 ? <tr><td colSpan={5} class="muted">{t('rule.noTemplates')}</td></tr> : null}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
