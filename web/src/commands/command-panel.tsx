/**
 * The command panel of the machine view: the machine's methods (start, stop, reset…) as buttons,
 * each writable tag with its live value and an input for the new one, and the commands on this
 * machine awaiting a second person's approval. Every action goes through the confirm step of
 * {@link CommandFlow}. Shown to operators of the machine only; the server checks again.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiAsset, ApiPoint, ApiTag } from '../../../src/protocol/api-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import type { CommandCreated } from '../../../src/protocol/command-types.js';
import { can } from '../auth/session.js';
import { ValueText } from '../components/value-text.js';
import { t } from '../i18n/index.js';
import { machineMethods, tagLabel, unitFor } from '../plant-model.js';
import type { TagCatalog } from '../tag-catalog.js';
import { useLoad } from '../use-load.js';
import { usePolling } from '../use-polling.js';
import { actionWords, CommandFlow, commandError } from './command-flow.js';
import { commandStep, listCommands, requestCommand } from './commands-api.js';

const KNOWN_METHODS: ReadonlySet<string> = new Set(['start', 'stop', 'reset']);

/** A method's button label: the common ones in the user's language, others as the device names them. */
function methodLabel(m: string): string {
  if (KNOWN_METHODS.has(m)) return t(`cmd.method.${m as 'start' | 'stop' | 'reset'}`);
  const words = m.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The typed value of an input, or an error message. */
function parseValue(type: ApiTag['type'], text: string): { value: number | boolean | string } | { error: string } {
  if (type === 'boolean') return { value: text === 'true' };
  if (type === 'string') return { value: text };
  const n = Number(text.trim().replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(n) ? { value: n } : { error: t('cmd.err.number') };
}

function SetpointRow({ tag, meta, point, unit, disabled, onRequest }: {
  tag: string; meta: ApiTag; point: ApiPoint | undefined; unit: string; disabled: boolean;
  onRequest: (value: number | boolean | string) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const name = tag.slice(tag.lastIndexOf('/') + 1);
  const submit = (ev: Event) => {
    ev.preventDefault();
    const v = parseValue(meta.type, meta.type === 'boolean' ? (text || String(!(point?.value === true))) : text);
    if ('error' in v) return setError(v.error);
    if (typeof v.value === 'number' && ((meta.min !== undefined && v.value < meta.min) || (meta.max !== undefined && v.value > meta.max))) {
      return setError(t('machine.outOfRange', { min: meta.min ?? '', max: meta.max ?? '', unit }));
    }
    setError('');
    onRequest(v.value);
  };
  return (
    <form class="setpoint" onSubmit={submit} data-testid={`setpoint-${name}`}>
      <div class="sp-name" title={meta.description}>
        {tagLabel(name)}
        {meta.critical ? <span class="badge badge-critical" title={t('cmd.criticalNote')}>{t('cmd.critical')}</span> : null}
        {meta.interlock ? <div class="muted small">{t('cmd.interlock')}: <span class="mono">{meta.interlock}</span></div> : null}
      </div>
      <div class="sp-now"><span class="muted small">{t('cmd.now')}</span> <ValueText point={point} unit={unit} /></div>
      <div class="sp-input">
        {meta.type === 'boolean' ? (
          <select aria-label={t('cmd.newValue')} value={text || String(!(point?.value === true))} data-testid="sp-input" onChange={(e) => setText((e.currentTarget as HTMLSelectElement).value)}>
            <option value="true">true</option><option value="false">false</option>
          </select>
        ) : (
          <input aria-label={t('cmd.newValue')} type={(meta.type === 'number' ? 'number' : 'text') as 'number'} step="any"
            min={meta.min} max={meta.max} placeholder={t('cmd.newValue')} value={text} data-testid="sp-input"
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
        )}
        {unit ? <span class="muted small">{unit}</span> : null}
        <button class="btn" type="submit" disabled={disabled} data-testid="sp-request">{t('cmd.request')}</button>
      </div>
      {error ? <div class="form-error small" role="alert">{error}</div> : null}
    </form>
  );
}

/** Commands on this machine waiting for a second person. */
function Approvals({ path, me, catalog, onFollow }: { path: string; me: Me; catalog: TagCatalog; onFollow: (c: CommandCreated) => void }) {
  const waiting = useLoad((signal) => listCommands('awaiting-approval', signal));
  usePolling(async () => waiting.reload(), 2000, () => undefined);
  const [error, setError] = useState('');
  const mine = (waiting.data ?? []).filter((c) => c.tag.startsWith(`${path}/`) || c.machine === path);
  if (mine.length === 0 && !error) return null;
  return (
    <div class="approvals" data-testid="approvals">
      <h3>{t('cmd.approvals')}</h3>
      <ul>
        {mine.map((c) => (
          <li key={c.id} data-testid={`approval-${c.id}`}>
            <span>{t('cmd.asks', { who: c.requestedBy.name, what: actionWords(c, c.kind === 'write' ? unitFor(c.tag, catalog) : '') })}</span>
            {c.requestedBy.id === me.id
              ? <span class="muted small">{t('cmd.awaitingApproval')}</span>
              : <button class="btn small primary" data-testid="cmd-approve" onClick={() => {
                setError('');
                commandStep(c.id, 'approve').then((cmd) => { onFollow({ command: cmd }); waiting.reload(); }, (e: unknown) => setError(commandError(e)));
              }}>{t('cmd.approve')}</button>}
          </li>
        ))}
      </ul>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
    </div>
  );
}

/** Props of {@link CommandPanel}. */
export interface CommandPanelProps {
  machine: ApiAsset;
  me: Me;
  catalog: TagCatalog;
  values: ReadonlyMap<string, ApiPoint>;
}

/** The panel; nothing for a user who may not operate this machine. */
export function CommandPanel({ machine, me, catalog, values }: CommandPanelProps) {
  const [flow, setFlow] = useState<{ created: CommandCreated; unit: string } | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const path = machine.path;
  const writable = machine.tags.map((n) => `${path}/${n}`).filter((tag) => catalog.get(tag)?.writable === true);
  const methods = machineMethods(machine);
  if (!can(me, 'operator', path) || (writable.length === 0 && methods.length === 0)) return null;

  const request = async (req: Parameters<typeof requestCommand>[0], unit: string) => {
    setBusy(true);
    setError('');
    try {
      setFlow({ created: await requestCommand(req), unit });
    } catch (e) {
      setError(commandError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel command-panel" data-testid="command-panel" aria-label={t('cmd.title')}>
      <div class="cmd-head">
        <h2>{t('cmd.title')}</h2>
        {methods.length > 0 ? (
          <div class="methods" data-testid="methods">
            {methods.map((m) => (
              <button class={`btn method method-${m}`} disabled={busy} data-testid={`method-${m}`} onClick={() => void request({ kind: 'call', machine: path, method: m }, '')}>{methodLabel(m)}</button>
            ))}
          </div>
        ) : null}
      </div>
      {error ? <p class="form-error" role="alert" data-testid="cmd-error">{error}</p> : null}
      {flow ? <CommandFlow key={flow.created.command.id} start={flow.created} unit={flow.unit} onClose={() => setFlow(undefined)} /> : null}
      {writable.length > 0 ? (
        <div class="setpoints">
          {writable.map((tag) => {
            const unit = unitFor(tag, catalog);
            return <SetpointRow key={tag} tag={tag} meta={catalog.get(tag)!} point={values.get(tag)} unit={unit} disabled={busy}
              onRequest={(value) => void request({ kind: 'write', tag, value }, unit)} />;
          })}
        </div>
      ) : null}
      <Approvals path={path} me={me} catalog={catalog} onFollow={(created) => setFlow({ created, unit: created.command.kind === 'write' ? unitFor(created.command.tag, catalog) : '' })} />
    </section>
  );
}
