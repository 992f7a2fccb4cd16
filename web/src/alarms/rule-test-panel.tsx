/**
 * "Test against the last 7 days": the rule as typed, replayed over the historian's last week by
 * the server's own evaluator (delays included). Shows how often it would have raised, for how
 * long in total, and the episodes.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiRuleInput, ApiRuleTestResponse } from '../../../src/protocol/alarm-types.js';
import { formatDateTime, formatDuration, formatNumber, t } from '../i18n/index.js';
import { testRule } from './alarms-api.js';

const WEEK = 7 * 86_400_000;
const SHOWN = 50;

/** Props of {@link RuleTestPanel}. */
export interface RuleTestPanelProps {
  /** The rule to test (throws on a form error). */
  build: () => ApiRuleInput;
  /** Bumped by each press of the Test button. */
  run: number;
  onError: (e: unknown) => void;
}

/** The panel. */
export function RuleTestPanel({ build, run, onError }: RuleTestPanelProps) {
  const [res, setRes] = useState<ApiRuleTestResponse | 'running' | undefined>();
  useEffect(() => {
    let alive = true;
    setRes('running');
    const to = Date.now();
    (async () => testRule(build(), to - WEEK, to))().then(
      (r) => { if (alive) setRes(r); },
      (e: unknown) => { if (alive) { setRes(undefined); onError(e); } },
    );
    return () => { alive = false; };
  }, [run]);
  if (res === undefined) return null;
  if (res === 'running') return <p class="banner info" role="status" data-testid="rule-test-running">{t('rule.testing')}</p>;
  return (
    <div class="rule-test" data-testid="rule-test-result">
      <div class="stats">
        <div><div class="stat-label">{t('rule.testRaises')}</div><div class="stat-value" data-testid="rule-test-raises">{formatNumber(res.raises, 0)}</div></div>
        <div><div class="stat-label">{t('rule.testActive')}</div><div class="stat-value">{formatDuration(res.activeMs)}</div></div>
        <div><div class="stat-label">{t('rule.testPoints')}</div><div class="stat-value">{formatNumber(res.points, 0)}</div></div>
      </div>
      {res.truncated ? <p class="muted small">{t('rule.testTruncated')}</p> : null}
      {res.episodes.length > 0 ? (
        <table class="plain">
          <thead><tr><th>{t('rule.episodeFrom')}</th><th>{t('rule.episodeTo')}</th><th class="r">{t('rule.episodeLength')}</th><th class="r">{t('alarm.value')}</th></tr></thead>
          <tbody>
            {res.episodes.slice(0, SHOWN).map((e) => (
              <tr>
                <td class="nowrap small">{formatDateTime(e.from)}</td>
                <td class="nowrap small">{e.to === undefined ? t('rule.stillActive') : formatDateTime(e.to)}</td>
                <td class="r">{e.to === undefined ? '' : formatDuration(e.to - e.from)}</td>
                <td class="r">{e.value === undefined ? '' : typeof e.value === 'number' ? formatNumber(e.value) : String(e.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p class="muted">{t('rule.testNone')}</p>}
    </div>
  );
}
