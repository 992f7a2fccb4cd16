/**
 * A button for an action that cannot be undone (delete, revoke): the first press asks, the
 * second does it. No browser dialog, so it reads the same on a tablet and in tests.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  label: string;
  onConfirm: () => void | Promise<void>;
  testid?: string;
  disabled?: boolean;
}

/** The button. The question goes away by itself after a few seconds. */
export function ConfirmButton({ label, onConfirm, testid, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (!asking) return;
    const id = setTimeout(() => setAsking(false), 5000);
    return () => clearTimeout(id);
  }, [asking]);
  if (!asking) return <button class="btn small danger-outline" disabled={disabled} data-testid={testid} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span class="confirm-inline">
      <button class="btn small danger" data-testid={testid ? `${testid}-yes` : undefined} onClick={() => { setAsking(false); void onConfirm(); }}>{t('common.confirmAction', { action: label })}</button>
      <button class="btn small" onClick={() => setAsking(false)}>{t('common.cancel')}</button>
    </span>
  );
}
