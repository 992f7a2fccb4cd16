/**
 * On call (`#/on-call`): notification targets (with "send test"), rosters with who is on duty
 * now, and the delivery log of notifications (refreshed every 5 s). Changing targets and rosters
 * is for engineers on the whole tenant; the server decides.
 * @module
 */
import { useState } from 'preact/hooks';
import type { ApiNotificationJob, ApiNotificationTarget, ApiRoster } from '../../../src/protocol/alarm-types.js';
import type { Me } from '../../../src/protocol/auth-types.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { formatDateTime, t } from '../i18n/index.js';
import { useLoad } from '../use-load.js';
import { usePolling } from '../use-polling.js';
import { priorityLabel } from './alarm-labels.js';
import { AlarmTabs } from './alarm-tabs.js';
import { deleteRoster, deleteTarget, fetchJobs, fetchRosters, fetchTargets, testTarget } from './alarms-api.js';
import { RosterForm } from './roster-form.js';
import { onDutyAt } from './roster-duty.js';
import { TargetForm } from './target-form.js';

/** Engineers (or admins) on the whole tenant manage targets and rosters. */
function tenantEngineer(me: Me): boolean {
  return me.platformOperator || me.grants.some((g) => g.scope === '' && (g.role === 'engineer' || g.role === 'admin'));
}

/** The view. */
export function OnCallView({ me }: { me: Me }) {
  const targets = useLoad((s) => fetchTargets(s), []);
  const rosters = useLoad((s) => fetchRosters(s), []);
  const [jobs, setJobs] = useState<{ data: ApiNotificationJob[] | undefined; error: string }>({ data: undefined, error: '' });
  usePolling(async (alive) => { const data = await fetchJobs(100); if (alive()) setJobs({ data, error: '' }); }, 5000, (error) => setJobs((s) => ({ ...s, error })));
  const [editTarget, setEditTarget] = useState<ApiNotificationTarget | 'new' | undefined>();
  const [editRoster, setEditRoster] = useState<ApiRoster | 'new' | undefined>();
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>();
  const eng = tenantEngineer(me);
  const act = async (f: () => Promise<unknown>, okText?: string) => {
    setNote(undefined);
    try {
      await f();
      if (okText) setNote({ ok: true, text: okText });
    } catch (e) {
      setNote({ ok: false, text: (e as Error).message });
    }
    targets.reload();
    rosters.reload();
  };
  const now = Date.now();
  return (
    <section class="view oncall-view" data-testid="oncall-view">
      <AlarmTabs view="on-call" />
      <div class="view-head"><h1>{t('oncall.title')}</h1></div>
      {note ? <p class={`banner${note.ok ? ' ok' : ''}`} role={note.ok ? 'status' : 'alert'} data-testid="oncall-note">{note.text}</p> : null}
      <div class="panel">
        <div class="row"><h2>{t('oncall.targets')}</h2><span class="spacer" />
          {eng ? <button class="btn small primary" data-testid="target-add" onClick={() => setEditTarget('new')}>{t('oncall.addTarget')}</button> : null}</div>
        {targets.error ? <p class="form-error" role="alert">{targets.error}</p> : null}
        {editTarget ? <TargetForm key={editTarget === 'new' ? 'new' : editTarget.id} initial={editTarget === 'new' ? undefined : editTarget} onDone={() => { setEditTarget(undefined); targets.reload(); }} /> : null}
        <table class="plain" data-testid="targets-table">
          <thead><tr><th>{t('rule.id')}</th><th>{t('rule.name')}</th><th>{t('oncall.kind')}</th><th>{t('oncall.address')}</th><th /></tr></thead>
          <tbody>
            {(targets.data ?? []).map((x) => (
              <tr data-testid={`target-${x.id}`}>
                <td class="mono">{x.id}</td><td>{x.name}</td><td>{x.kind === 'email' ? t('oncall.email') : t('oncall.webhook')}</td>
                <td class="mono small wrap">{x.kind === 'email' ? x.to : x.url}</td>
                <td class="actions nowrap r">
                  <button class="btn small" data-testid="target-test" onClick={() => void act(() => testTarget(x.id), t('oncall.testSent', { id: x.id }))}>{t('oncall.sendTest')}</button>
                  {eng ? <button class="btn small" onClick={() => setEditTarget(x)}>{t('oncall.edit')}</button> : null}
                  {eng ? <ConfirmButton label={t('rule.delete')} onConfirm={() => act(() => deleteTarget(x.id))} /> : null}
                </td>
              </tr>
            ))}
            {targets.data && targets.data.length === 0 ? <tr><td colSpan={5} class="muted">{t('oncall.noTargets')}</td></tr> : null}
          </tbody>
        </table>
      </div>
      <div class="panel">
        <div class="row"><h2>{t('oncall.rosters')}</h2><span class="spacer" />
          {eng ? <button class="btn small primary" data-testid="roster-add" onClick={() => setEditRoster('new')}>{t('oncall.addRoster')}</button> : null}</div>
        {rosters.error ? <p class="form-error" role="alert">{rosters.error}</p> : null}
        {editRoster ? <RosterForm key={editRoster === 'new' ? 'new' : editRoster.id} initial={editRoster === 'new' ? undefined : editRoster} onDone={() => { setEditRoster(undefined); rosters.reload(); }} /> : null}
        <table class="plain" data-testid="rosters-table">
          <thead><tr><th>{t('rule.name')}</th><th>{t('alarm.area')}</th><th>{t('oncall.ackTimeout')}</th><th>{t('oncall.minPriority')}</th><th>{t('oncall.people')}</th><th>{t('oncall.onDutyNow')}</th><th /></tr></thead>
          <tbody>
            {(rosters.data ?? []).map((x) => {
              const duty = x.onDuty ?? onDutyAt(x, now);
              return (
                <tr data-testid={`roster-${x.id}`}>
                  <td>{x.name}<div class="muted small mono">{x.id}</div></td>
                  <td class="mono small">{x.area || t('fig.allAreas')}</td>
                  <td>{t('age.min', { n: x.ackTimeoutMinutes })}</td>
                  <td>{x.minPriority ? priorityLabel(x.minPriority) : t('alarm.any')}</td>
                  <td class="small">{x.entries.map((e) => e.person).join(' → ')}</td>
                  <td data-testid="roster-on-duty">{duty.length ? duty.map((p, i) => <span class={`pill${i === 0 ? ' on' : ''}`}>{p}</span>) : <span class="error small">{t('oncall.nobody')}</span>}</td>
                  <td class="actions nowrap r">
                    {eng ? <button class="btn small" onClick={() => setEditRoster(x)}>{t('oncall.edit')}</button> : null}
                    {eng ? <ConfirmButton label={t('rule.delete')} onConfirm={() => act(() => deleteRoster(x.id))} /> : null}
                  </td>
                </tr>
              );
            })}
            {rosters.data && rosters.data.length === 0 ? <tr><td colSpan={7} class="muted">{t('oncall.noRosters')}</td></tr> : null}
          </tbody>
        </table>
      </div>
      <div class="panel">
        <h2>{t('oncall.log')}</h2>
        {jobs.error ? <p class="form-error" role="alert">{jobs.error}</p> : null}
        <table class="plain" data-testid="jobs-table">
          <thead><tr><th>{t('alarm.time')}</th><th>{t('alarm.alarmId')}</th><th>{t('oncall.target')}</th><th>{t('oncall.subject')}</th><th>{t('alarm.state')}</th><th class="r">{t('oncall.attempts')}</th><th>{t('oncall.lastError')}</th></tr></thead>
          <tbody>
            {(jobs.data ?? []).map((j) => (
              <tr class={j.state === 'failed' ? 'row-bad' : ''}>
                <td class="nowrap small">{formatDateTime(j.createdTs)}</td>
                <td class="mono small wrap">{j.alarmId}</td>
                <td class="mono small">{j.targetId}</td>
                <td class="small wrap">{j.subject}</td>
                <td><span class={`pill ${j.state === 'delivered' ? 'out-ok' : j.state === 'failed' ? 'out-failed' : 'out-denied'}`}>{t(`oncall.job.${j.state}`)}</span>
                  {j.state === 'pending' ? <div class="muted small">{t('oncall.nextTry', { at: formatDateTime(j.nextTs) })}</div> : null}</td>
                <td class="r">{j.attempts}</td>
                <td class="small wrap error">{j.lastError ?? ''}</td>
              </tr>
            ))}
            {jobs.data && jobs.data.length === 0 ? <tr><td colSpan={7} class="muted">{t('oncall.noJobs')}</td></tr> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
