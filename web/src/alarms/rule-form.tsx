/**
 * The editor of a rule or a template: condition by kind (threshold, rate of change, deviation,
 * stale, CEL expression), delays, the alarm's priority, message, latching and suppression, and
 * automatic actions. The server validates: its message appears at the field it names, for
 * expressions with a caret at the position. "Test against the last 7 days" replays history
 * through the rule as typed, without saving it.
 * @module
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiCallError, fetchTags } from '../api.js';
import { useLoad } from '../use-load.js';
import { t } from '../i18n/index.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { PRIORITIES } from './alarm-model.js';
import { priorityLabel } from './alarm-labels.js';
import { FieldMessage } from './field-error.js';
import { FieldError, KINDS, errorFor, ruleInput, templateInput, type ActionDraft, type RuleDraft } from './rule-draft.js';
import { RuleTestPanel } from './rule-test-panel.js';
import { deleteRule, deleteTemplate, saveRule, saveTemplate, validateRule } from './alarms-api.js';
import type { MessageKey } from '../i18n/en.js';

/** Props of {@link RuleForm}. */
export interface RuleFormProps {
  mode: 'rule' | 'template';
  initial: RuleDraft;
  /** Editing a saved one (PUT, id fixed) rather than creating. */
  existing: boolean;
  /** A template's instance: shown, not edited here. */
  readOnly?: boolean;
  /** Asset to test a template against (one it applies to). */
  testAsset?: string;
  onSaved: (id: string) => void;
  onDeleted: () => void;
}

/** A server or form error as a field error ('' field: the whole form). */
function asFieldError(e: unknown): FieldError {
  if (e instanceof FieldError) return e;
  const d = e instanceof ApiCallError ? e.details : undefined;
  const field = typeof d?.field === 'string' ? d.field : '';
  const position = typeof d?.position === 'number' ? d.position : undefined;
  return new FieldError(field, (e as Error).message, position);
}

/** The form. */
export function RuleForm(p: RuleFormProps) {
  const [d, setD] = useState<RuleDraft>(p.initial);
  const [err, setErr] = useState<FieldError | undefined>();
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);
  const [testRun, setTestRun] = useState(0);
  const exprRef = useRef<HTMLTextAreaElement>(null);
  const suppRef = useRef<HTMLTextAreaElement>(null);
  const ro = !!p.readOnly;
  // The asset's tags, relative, for the tag fields' suggestions (a template: one asset of its type).
  const tagAsset = (p.mode === 'rule' ? d.asset : p.testAsset ?? '').trim().replace(/\/+$/, '');
  const tags = useLoad(async (signal) => {
    if (!tagAsset.includes('/')) return [];
    await new Promise((r) => setTimeout(r, 300));
    if (signal.aborted) return [];
    return (await fetchTags(`${tagAsset}/`, signal)).map((x) => x.path.slice(tagAsset.length + 1));
  }, [tagAsset]);
  const set = <K extends keyof RuleDraft>(k: K, v: RuleDraft[K]) => { setD((x) => ({ ...x, [k]: v })); setOk(''); };
  const text = (k: keyof RuleDraft) => (e: Event) => set(k, (e.currentTarget as HTMLInputElement).value as never);
  const setAction = (i: number, patch: Partial<ActionDraft>) => set('actions', d.actions.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  // Put the caret where the server says the expression went wrong.
  useEffect(() => {
    if (!err || err.position === undefined) return;
    const el = errorFor(err, 'condition.expression') ? exprRef.current : errorFor(err, 'alarm.suppressWhen') ? suppRef.current : null;
    if (el) { el.focus(); el.setSelectionRange(err.position, Math.min(el.value.length, err.position + 1)); }
  }, [err]);
  const run = async (what: 'check' | 'save') => {
    setErr(undefined);
    setOk('');
    setBusy(true);
    try {
      if (p.mode === 'template') {
        const input = templateInput(d);
        if (what === 'save') p.onSaved((await saveTemplate(input, p.existing)).id);
      } else {
        const input = ruleInput(d);
        if (what === 'check') {
          const r = await validateRule(input);
          setOk(t('rule.valid', { vars: r.variables.join(', ') || '—' }));
        } else {
          p.onSaved((await saveRule(input, p.existing)).id);
          setOk(t('rule.saved'));
        }
      }
    } catch (e) {
      setErr(asFieldError(e));
    } finally {
      setBusy(false);
    }
  };
  const field = (name: string, label: string, body: preact.ComponentChildren, hint?: string, errText?: string) => (
    <label class={errorFor(err, name) ? 'has-error' : ''}><span>{label}</span>{body}{hint ? <small class="muted">{hint}</small> : null}<FieldMessage err={errorFor(err, name)} text={errText} /></label>
  );
  const unplaced = err && !['id', 'name', 'asset', 'machineType', 'condition', 'onDelayS', 'offDelayS', 'alarm', 'actions'].some((n) => errorFor(err, n)) ? err : undefined;
  const testInput = () => {
    if (p.mode === 'rule') return ruleInput(d);
    const tpl = templateInput(d);
    const { machineType: _m, ...body } = tpl;
    return { ...body, id: undefined, asset: p.testAsset ?? '' };
  };
  return (
    <form class="panel rule-form" onSubmit={(e) => { e.preventDefault(); void run('save'); }} data-testid="rule-form">
      <h2>{p.existing ? d.name || d.id : p.mode === 'rule' ? t('rule.new') : t('rule.newTemplate')}</h2>
      {ro ? <p class="banner info">{t('rule.instanceReadOnly')}</p> : null}
      {unplaced ? <p class="banner" role="alert" data-testid="rule-error">{unplaced.message}</p> : null}
      {ok ? <p class="banner ok" role="status" data-testid="rule-ok">{ok}</p> : null}
      <fieldset disabled={ro} class="rule-grid">
        {field('name', t('rule.name'), <input required maxLength={200} value={d.name} data-testid="rule-name" onInput={text('name')} />)}
        {field('id', t('rule.id'), <input value={d.id} disabled={p.existing} pattern="[a-z0-9][a-z0-9_.\-]*" placeholder={t('rule.idAuto')} data-testid="rule-id" onInput={text('id')} />)}
        {p.mode === 'rule'
          ? field('asset', t('rule.asset'), <input required value={d.asset} list="rule-asset-list" disabled={p.existing} placeholder="site/area/line/machine" data-testid="rule-asset" onInput={text('asset')} />)
          : field('machineType', t('rule.machineType'), <input required value={d.machineType} list="rule-type-list" pattern="[a-z0-9][a-z0-9_.\-]*" data-testid="rule-machine-type" onInput={text('machineType')} />)}
        <label class="check"><input type="checkbox" checked={d.enabled} data-testid="rule-enabled" onChange={(e) => set('enabled', (e.currentTarget as HTMLInputElement).checked)} /> {t('rule.enabled')}</label>
        {field('condition.kind', t('rule.kind'), (
          <select value={d.kind} data-testid="rule-kind" onChange={(e) => set('kind', (e.currentTarget as HTMLSelectElement).value as RuleDraft['kind'])}>
            {KINDS.map((k) => <option value={k}>{t(`rule.kind.${k}` as MessageKey)}</option>)}
          </select>
        ))}
        {d.kind !== 'expression' ? field('condition.tag', t('rule.tag'), <input required value={d.tag} list="rule-tag-list" placeholder="spindle_temp" data-testid="rule-tag" onInput={text('tag')} />, t('rule.tagHint')) : null}
        {d.kind === 'threshold' ? (
          <>
            {field('condition.op', t('rule.op'), (
              <select value={d.op} data-testid="rule-op" onChange={(e) => set('op', (e.currentTarget as HTMLSelectElement).value as RuleDraft['op'])}>
                {(['>', '>=', '<', '<='] as const).map((o) => <option value={o}>{o}</option>)}
              </select>
            ))}
            {field('condition.limit', t('rule.limit'), <input required inputMode="decimal" value={d.limit} data-testid="rule-limit" onInput={text('limit')} />)}
            {field('condition.deadband', t('rule.deadband'), <input inputMode="decimal" value={d.deadband} data-testid="rule-deadband" onInput={text('deadband')} />)}
          </>
        ) : null}
        {d.kind === 'rate-of-change' ? (
          <>
            {field('condition.limitPerMinute', t('rule.limitPerMinute'), <input required inputMode="decimal" value={d.limitPerMinute} onInput={text('limitPerMinute')} />)}
            {field('condition.windowS', t('rule.windowS'), <input required inputMode="decimal" value={d.windowS} onInput={text('windowS')} />)}
          </>
        ) : null}
        {d.kind === 'deviation' ? (
          <>
            {field('condition.setpointTag', t('rule.setpointTag'), <input required value={d.setpointTag} list="rule-tag-list" onInput={text('setpointTag')} />)}
            {field('condition.limit', t('rule.limit'), <input required inputMode="decimal" value={d.limit} onInput={text('limit')} />)}
            {field('condition.deadband', t('rule.deadband'), <input inputMode="decimal" value={d.deadband} onInput={text('deadband')} />)}
          </>
        ) : null}
        {d.kind === 'stale' ? field('condition.afterS', t('rule.afterS'), <input required inputMode="decimal" value={d.afterS} onInput={text('afterS')} />) : null}
        {d.kind === 'expression' ? (
          <label class={`wide${errorFor(err, 'condition.expression') ? ' has-error' : ''}`}><span>{t('rule.expression')}</span>
            <textarea ref={exprRef} class="mono" rows={3} required spellcheck={false} value={d.expression} placeholder='spindle_temp > 80 && state == "running"' data-testid="rule-expression" onInput={text('expression')} />
            <small class="muted">{t('rule.expressionHint')}</small>
            <FieldMessage err={errorFor(err, 'condition.expression') ?? errorFor(err, 'condition')} text={d.expression} />
          </label>
        ) : <FieldMessage err={!['tag', 'op', 'limit', 'deadband', 'limitPerMinute', 'windowS', 'setpointTag', 'afterS', 'kind'].some((n) => errorFor(err, `condition.${n}`)) ? errorFor(err, 'condition') : undefined} />}
        {field('onDelayS', t('rule.onDelay'), <input inputMode="decimal" value={d.onDelayS} placeholder="0" data-testid="rule-on-delay" onInput={text('onDelayS')} />)}
        {field('offDelayS', t('rule.offDelay'), <input inputMode="decimal" value={d.offDelayS} placeholder="0" data-testid="rule-off-delay" onInput={text('offDelayS')} />)}
        {field('alarm.priority', t('alarm.priority'), (
          <select value={d.priority} data-testid="rule-priority" onChange={(e) => set('priority', (e.currentTarget as HTMLSelectElement).value as RuleDraft['priority'])}>
            {PRIORITIES.map((x) => <option value={x}>{priorityLabel(x)}</option>)}
          </select>
        ))}
        <label class="check"><input type="checkbox" checked={d.latched} data-testid="rule-latched" onChange={(e) => set('latched', (e.currentTarget as HTMLInputElement).checked)} /> {t('rule.latched')}</label>
        <div class="wide">{field('alarm.message', t('alarm.message'), <input required maxLength={500} value={d.message} placeholder={t('rule.messagePlaceholder')} data-testid="rule-message" onInput={text('message')} />, t('rule.messageHint'))}</div>
        <label class={`wide${errorFor(err, 'alarm.suppressWhen') ? ' has-error' : ''}`}><span>{t('rule.suppressWhen')}</span>
          <textarea ref={suppRef} class="mono" rows={2} spellcheck={false} value={d.suppressWhen} placeholder='state == "planned-stop"' data-testid="rule-suppress" onInput={text('suppressWhen')} />
          <FieldMessage err={errorFor(err, 'alarm.suppressWhen')} text={d.suppressWhen} />
        </label>
        <div class="wide">{field('alarm.notify', t('rule.notify'), <input value={d.notify} placeholder="ops-mail, pager" onInput={text('notify')} />)}</div>
        <div class="wide rule-actions" data-testid="rule-actions">
          <span class="label">{t('rule.actions')}</span>
          {d.actions.map((a, i) => (
            <div class="action-row">
              <select value={a.on} onChange={(e) => setAction(i, { on: (e.currentTarget as HTMLSelectElement).value as ActionDraft['on'] })}>
                <option value="raise">{t('rule.onRaise')}</option><option value="clear">{t('rule.onClear')}</option>
              </select>
              <select value={a.kind} onChange={(e) => setAction(i, { kind: (e.currentTarget as HTMLSelectElement).value as ActionDraft['kind'] })}>
                <option value="write">{t('rule.write')}</option><option value="call">{t('rule.call')}</option>
              </select>
              {a.kind === 'write' ? (
                <>
                  <input placeholder={t('rule.tag')} list="rule-tag-list" value={a.tag} onInput={(e) => setAction(i, { tag: (e.currentTarget as HTMLInputElement).value })} />
                  <input placeholder={t('alarm.value')} value={a.value} onInput={(e) => setAction(i, { value: (e.currentTarget as HTMLInputElement).value })} />
                </>
              ) : (
                <>
                  <input placeholder={t('rule.method')} value={a.method} onInput={(e) => setAction(i, { method: (e.currentTarget as HTMLInputElement).value })} />
                  <input class="mono" placeholder='{"speed": 0}' value={a.args} onInput={(e) => setAction(i, { args: (e.currentTarget as HTMLInputElement).value })} />
                </>
              )}
              <button type="button" class="icon-btn small" aria-label={t('rule.removeAction')} onClick={() => set('actions', d.actions.filter((_, j) => j !== i))}>×</button>
              <FieldMessage err={errorFor(err, `actions.${i}`)} />
            </div>
          ))}
          <div><button type="button" class="btn small" data-testid="rule-add-action" onClick={() => set('actions', [...d.actions, { on: 'raise', kind: 'call', tag: '', value: '', method: 'stop', args: '' }])}>{t('rule.addAction')}</button></div>
        </div>
        <label class="wide"><span>{t('access.description')}</span><input maxLength={2000} value={d.description} onInput={text('description')} /></label>
      </fieldset>
      <datalist id="rule-tag-list">{(tags.data ?? []).map((x) => <option value={x} />)}</datalist>
      <div class="row">
        {ro ? null : <button class="btn primary" type="submit" disabled={busy} data-testid="rule-save">{t('rule.save')}</button>}
        {ro || p.mode === 'template' ? null : <button class="btn" type="button" disabled={busy} data-testid="rule-check" onClick={() => void run('check')}>{t('rule.check')}</button>}
        {p.mode === 'rule' || p.testAsset ? <button class="btn" type="button" data-testid="rule-test" onClick={() => setTestRun((n) => n + 1)}>{t('rule.test7d')}</button> : null}
        <span class="spacer" />
        {p.existing && !ro ? <ConfirmButton label={t('rule.delete')} testid="rule-delete" onConfirm={async () => {
          try {
            await (p.mode === 'rule' ? deleteRule(d.id) : deleteTemplate(d.id));
            p.onDeleted();
          } catch (e) { setErr(asFieldError(e)); }
        }} /> : null}
      </div>
      {testRun > 0 ? <RuleTestPanel build={testInput} run={testRun} onError={(e) => setErr(asFieldError(e))} /> : null}
    </form>
  );
}
