/**
 * Add or change an on-call roster: the area it covers, its time zone, how long an alarm may stay
 * unacknowledged before the next person is called, the lowest priority it handles, and the
 * people in escalation order with their targets, days and working hours.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiRoster } from '../../../src/protocol/alarm-types.js';
import { t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/en.js';
import { PRIORITIES } from './alarm-model.js';
import { priorityLabel } from './alarm-labels.js';
import { saveRoster } from './alarms-api.js';

type Entry = ApiRoster['entries'][number];
interface EntryDraft { person: string; targets: string; days: number[]; from: string; to: string }

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 0];

function entryDraft(e?: Entry): EntryDraft {
  return { person: e?.person ?? '', targets: (e?.targets ?? []).join(', '), days: e?.days ?? [...ALL_DAYS], from: e?.from ?? '', to: e?.to ?? '' };
}

/** The form; `initial` set means editing that roster. */
export function RosterForm({ initial, onDone }: { initial?: ApiRoster; onDone: () => void }) {
  const [id, setId] = useState(initial?.id ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const [area, setArea] = useState(initial?.area ?? '');
  const [zone, setZone] = useState(initial?.timeZone ?? '');
  const [ackMin, setAckMin] = useState(String(initial?.ackTimeoutMinutes ?? 15));
  const [minPrio, setMinPrio] = useState(initial?.minPriority ?? '');
  const [entries, setEntries] = useState<EntryDraft[]>(initial ? initial.entries.map(entryDraft) : [entryDraft()]);
  const [error, setError] = useState('');
  const setEntry = (i: number, patch: Partial<EntryDraft>) => setEntries(entries.map((e, j) => (j === i ? { ...e, ...patch } : e)));
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    const body: ApiRoster = {
      id: id.trim(), name: name.trim(), area: area.trim(), ackTimeoutMinutes: Number(ackMin),
      ...(zone.trim() ? { timeZone: zone.trim() } : {}),
      ...(minPrio ? { minPriority: minPrio as ApiRoster['minPriority'] } : {}),
      entries: entries.map((e) => ({
        person: e.person.trim(), targets: e.targets.split(/[\s,]+/).filter(Boolean),
        ...(e.days.length < 7 ? { days: [...e.days].sort((a, b) => a - b) } : {}),
        ...(e.from ? { from: e.from } : {}), ...(e.to ? { to: e.to } : {}),
      })),
    };
    try {
      await saveRoster(body, !!initial);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form class="panel roster-form" onSubmit={(e) => void submit(e)} data-testid="roster-form">
      <h2>{initial ? t('oncall.editRoster', { id: initial.id }) : t('oncall.addRoster')}</h2>
      {error ? <p class="form-error" role="alert" data-testid="roster-error">{error}</p> : null}
      <div class="filters">
        {initial ? null : <label><span>{t('rule.id')}</span><input required pattern="[a-z0-9][a-z0-9_.\-]*" value={id} data-testid="roster-id" onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} /></label>}
        <label><span>{t('rule.name')}</span><input required value={name} data-testid="roster-name" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('alarm.area')}</span><input value={area} placeholder={t('fig.allAreas')} data-testid="roster-area" onInput={(e) => setArea((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('oncall.timeZone')}</span><input value={zone} placeholder="Asia/Shanghai" onInput={(e) => setZone((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('oncall.ackTimeout')}</span><input type="number" min={1} max={1440} required value={ackMin} data-testid="roster-ack" onInput={(e) => setAckMin((e.currentTarget as HTMLInputElement).value)} /></label>
        <label><span>{t('oncall.minPriority')}</span>
          <select value={minPrio} onChange={(e) => setMinPrio((e.currentTarget as HTMLSelectElement).value as typeof minPrio)}>
            <option value="">{t('alarm.any')}</option>
            {PRIORITIES.map((p) => <option value={p}>{priorityLabel(p)}</option>)}
          </select>
        </label>
      </div>
      <table class="plain roster-entries">
        <thead><tr><th>#</th><th>{t('oncall.person')}</th><th>{t('oncall.targets')}</th><th>{t('oncall.days')}</th><th>{t('oncall.hours')}</th><th /></tr></thead>
        <tbody>
          {entries.map((e, i) => (
            <tr>
              <td class="muted">{i + 1}</td>
              <td><input required value={e.person} data-testid={`roster-person-${i}`} onInput={(ev) => setEntry(i, { person: (ev.currentTarget as HTMLInputElement).value })} /></td>
              <td><input required value={e.targets} placeholder="ops-mail" data-testid={`roster-targets-${i}`} onInput={(ev) => setEntry(i, { targets: (ev.currentTarget as HTMLInputElement).value })} /></td>
              <td class="nowrap days">
                {ALL_DAYS.map((d) => (
                  <label class="day" title={t(`oncall.day.${d}` as MessageKey)}>
                    <input type="checkbox" checked={e.days.includes(d)} onChange={(ev) => setEntry(i, { days: (ev.currentTarget as HTMLInputElement).checked ? [...e.days, d] : e.days.filter((x) => x !== d) })} />
                    {t(`oncall.day.${d}` as MessageKey).slice(0, 2)}
                  </label>
                ))}
              </td>
              <td class="nowrap"><input type="time" value={e.from} onInput={(ev) => setEntry(i, { from: (ev.currentTarget as HTMLInputElement).value })} /> – <input type="time" value={e.to} onInput={(ev) => setEntry(i, { to: (ev.currentTarget as HTMLInputElement).value })} /></td>
              <td><button type="button" class="icon-btn small" aria-label={t('rule.removeAction')} disabled={entries.length === 1} onClick={() => setEntries(entries.filter((_, j) => j !== i))}>×</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">{t('oncall.hoursHint')}</p>
      <div class="row">
        <button class="btn small" type="button" onClick={() => setEntries([...entries, entryDraft()])}>{t('oncall.addPerson')}</button>
        <span class="spacer" />
        <button class="btn primary" type="submit" data-testid="roster-save">{t('rule.save')}</button>
        <button class="btn" type="button" onClick={onDone}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
