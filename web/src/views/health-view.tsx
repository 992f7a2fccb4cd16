/**
 * System health: connectors and their status, ingest rate (a small live chart of the last ten
 * minutes, seeded from the server's history), queue, rejected input by code, historian size,
 * process memory and, when the server reports it, the live hub. Polled every 2 s from /api/v1/health.
 * @module
 */
import { useState } from 'preact/hooks';
import type { HealthResponse } from '../../../src/protocol/api-types.js';
import { fetchHealth } from '../api.js';
import { Sparkline } from '../components/sparkline.js';
import { formatBytes, formatDateTime, formatDuration, formatNumber, t } from '../i18n/index.js';
import { usePolling } from '../use-polling.js';

/** The rate chart shows the last ten minutes (the server's history length). */
const WINDOW_MS = 10 * 60_000;

/** Health, refreshed every 2 s, with the history of the ingest rate since the view opened. */
function useHealth(): { h: HealthResponse | undefined; rates: Array<[number, number]>; error: string } {
  const [state, setState] = useState({ h: undefined as HealthResponse | undefined, rates: [] as Array<[number, number]>, error: '' });
  usePolling(async (alive) => {
    const h = await fetchHealth();
    // The server keeps ten minutes of rate history, so the chart is full from the first look;
    // the view's own 2 s samples extend it at finer grain after that.
    if (!alive()) return;
    setState((s) => {
      const latest: [number, number] = [Date.now(), h.ingest.pointsPerSecond];
      const merged = s.rates.length === 0 ? [...(h.ingest.recent ?? []), latest] : [...s.rates, latest];
      return { h, error: '', rates: merged.filter(([ts]) => ts >= latest[0] - WINDOW_MS) };
    });
  }, 2000, (error) => setState((s) => ({ ...s, error })));
  return state;
}

function Stat({ label, value, testid }: { label: string; value: string; testid?: string }) {
  return <div class="stat" data-testid={testid}><div class="stat-label">{label}</div><div class="stat-value">{value}</div></div>;
}

/** The view. */
export function HealthView() {
  const { h, rates, error } = useHealth();
  if (!h) return <section class="view"><p class="muted">{error ? t('error.load', { message: error }) : t('trend.loading')}</p></section>;
  const codes = Object.entries(h.rejected.byCode).sort((a, b) => b[1] - a[1]);
  const now = Date.now();
  return (
    <section class="view health-view" data-testid="health-view">
      <div class="view-head">
        <h1>{t('health.title')}</h1>
        <span class={`state-chip ${h.status === 'ok' ? 'state-running' : 'state-fault'}`} data-testid="health-status">{h.status === 'ok' ? t('health.ok') : t('health.degraded')}</span>
        <span class="muted">{h.tenant} · {t('health.version', { v: h.version })} · {t('health.uptime', { d: formatDuration(h.uptimeSeconds * 1000) })}</span>
        {error ? <span class="error small">{t('error.load', { message: error })} {t('error.retrying')}</span> : null}
      </div>
      <div class="panels">
        <div class="panel">
          <h2>{t('health.ingest')}</h2>
          <div class="stats">
            <Stat label={t('health.pointsPerSecond')} value={formatNumber(h.ingest.pointsPerSecond, 0)} testid="ingest-rate" />
            <Stat label={t('health.queued')} value={formatNumber(h.ingest.queuedPoints, 0)} />
            <Stat label={t('health.accepted')} value={formatNumber(h.ingest.acceptedTotal, 0)} />
            <Stat label={t('health.tags')} value={formatNumber(h.ingest.tags, 0)} />
            <Stat label={t('health.storageErrors')} value={formatNumber(h.ingest.storageErrors, 0)} />
          </div>
          <div class="rate-chart">
            <Sparkline xs={rates.map((r) => r[0])} ys={rates.map((r) => r[1])} from={now - WINDOW_MS} to={now} width={480} height={60} />
          </div>
        </div>
        <div class="panel">
          <h2>{t('health.connectors')}</h2>
          <ul class="connectors">
            {h.connectors.map((c) => (
              <li key={c.name}>
                <div class="conn-head">
                  <b>{c.name}</b>
                  <span class={`state-chip small ${c.status.state === 'connected' ? 'state-running' : c.status.state === 'stopped' ? 'state-fault' : 'state-idle'}`}>{c.status.state}</span>
                  <span class="muted small">{t('health.since')} {formatDateTime(c.status.since)}</span>
                </div>
                <div class="counters muted small">
                  {Object.entries(c.counters).map(([k, v]) => <span key={k}>{k} <b>{formatNumber(v, 0)}</b></span>)}
                </div>
              </li>
            ))}
          </ul>
        </div>
        <div class="panel">
          <h2>{t('health.rejected')} <span class="muted">({formatNumber(h.rejected.total, 0)})</span></h2>
          {codes.length === 0 ? <p class="muted">{t('health.rejectedNone')}</p> : (
            <table class="plain">
              <thead><tr><th>{t('health.code')}</th><th class="r">{t('health.count')}</th></tr></thead>
              <tbody>{codes.map(([code, n]) => <tr key={code}><td class="mono">{code}</td><td class="r">{formatNumber(n, 0)}</td></tr>)}</tbody>
            </table>
          )}
        </div>
        <div class="panel">
          <h2>{t('health.historian')} <span class="muted">({h.historian.backend})</span></h2>
          <div class="stats">
            <Stat label={t('health.points')} value={formatNumber(h.historian.points, 0)} />
            <Stat label={t('health.size')} value={formatBytes(h.historian.bytesOnDisk)} />
          </div>
          <h2>{t('health.memory')}</h2>
          <div class="stats">
            <Stat label={t('health.rss')} value={formatBytes(h.process.rssBytes)} />
            <Stat label={t('health.heap')} value={formatBytes(h.process.heapUsedBytes)} />
            <Stat label={t('health.external')} value={formatBytes(h.process.externalBytes)} />
          </div>
          {h.live ? (
            <>
              <h2>{t('health.live')}</h2>
              <div class="stats" data-testid="live-hub">
                <Stat label={t('health.liveConnections')} value={formatNumber(h.live.connections, 0)} />
                <Stat label={t('health.liveSessions')} value={formatNumber(h.live.sessions, 0)} />
                <Stat label={t('health.liveDetached')} value={formatNumber(h.live.detachedSessions, 0)} />
                <Stat label={t('health.livePointsSent')} value={formatNumber(h.live.pointsSent, 0)} />
                <Stat label={t('health.liveDropped')} value={formatNumber(h.live.droppedSessions, 0)} />
              </div>
            </>
          ) : null}
        </div>
      </div>
    </section>
  );
}
