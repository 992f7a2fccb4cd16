/**
 * A banner over every view while commands that this user may approve wait for a second person:
 * critical writes are held until someone else looks, so the someone must notice. Each links to
 * its machine, where the command panel has the Approve button.
 * @module
 */
import { useState } from 'preact/hooks';
import type { Me } from '../../../src/protocol/auth-types.js';
import type { ApiCommand } from '../../../src/protocol/command-types.js';
import { can, canSomewhere } from '../auth/session.js';
import { t } from '../i18n/index.js';
import { href } from '../router.js';
import { usePolling } from '../use-polling.js';
import { actionWords } from './command-flow.js';
import { listCommands } from './commands-api.js';

/** The machine a command is about. */
function machineOf(c: ApiCommand): string {
  return c.machine ?? c.tag.slice(0, c.tag.lastIndexOf('/'));
}

/** The banner; nothing for users who operate nothing, or when nothing waits for them. */
export function ApprovalBanner({ me, viewing }: { me: Me; viewing: string }) {
  const [waiting, setWaiting] = useState<ApiCommand[]>([]);
  const operator = canSomewhere(me, 'operator');
  usePolling(async (alive) => {
    if (!operator) return;
    const list = await listCommands('awaiting-approval');
    if (alive()) setWaiting(list.filter((c) => c.requestedBy.id !== me.id && can(me, 'operator', machineOf(c))));
  }, 5000, () => undefined);
  // The machine view shows its own commands with the Approve button: no need to say it twice.
  const shown = waiting.filter((c) => machineOf(c) !== viewing);
  if (shown.length === 0) return null;
  return (
    <div class="banner approval-banner" role="status" data-testid="approval-banner">
      <b>{t('cmd.bannerTitle', { n: shown.length })}</b>
      {shown.slice(0, 3).map((c) => (
        <a href={href('machine', machineOf(c))}>{c.requestedBy.name}: {machineOf(c).split('/').pop()} · {actionWords(c)}</a>
      ))}
    </div>
  );
}
