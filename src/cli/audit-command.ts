/**
 * `lightsout audit verify|export`: check the audit trail's hash chain on a data directory (also
 * while the platform runs), and export it as CSV.
 * @module
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { auditCsvRow, AUDIT_CSV_COLUMNS } from '../auth/audit-csv.js';
import { INSTALL_SECRET_FILE } from '../auth/install-secret.js';
import { withStores } from './open-stores.js';

/** Register the audit commands. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The audit trail: verify its hash chain, export it.');

  audit.command('verify')
    .description('Check every record of the audit trail; exits 1 naming the first edited, deleted or reordered record.')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
      if (!s.installSecretFound && (await s.auditLog.head()) !== undefined) {
        console.error(`audit trail NOT verified: the install secret ${join(o.dataDir, INSTALL_SECRET_FILE)} was missing, so the seal of the trail's head cannot be checked (restore it from the backup of this data directory)`);
        process.exitCode = 1;
        return;
      }
      const r = await s.auditLog.verify();
      if (r.ok) {
        console.log(`audit trail OK: ${r.records} records checked; hash chain and sealed head intact`);
        return;
      }
      const bad = r.firstBad!;
      console.error(`audit trail TAMPERED: record ${bad.seq} ${bad.problem}: ${bad.message} (${r.records} records before it verified)`);
      process.exitCode = 1;
    }));

  audit.command('export')
    .description('Write the audit trail as CSV, oldest first, to stdout or a file.')
    .option('--csv', 'CSV (the only format, and the default)')
    .option('--tenant <id>', 'only this tenant\'s records')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { tenant?: string; out?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const file = o.out ? createWriteStream(o.out) : undefined;
      const write = (text: string): void => void (file ?? process.stdout).write(text);
      write(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
      for (let after = 0; ;) {
        const page = await s.auditLog.scan(after, 2000);
        for (const r of page) if (o.tenant === undefined || r.tenant === o.tenant) write(`${auditCsvRow(r)}\r\n`);
        if (page.length < 2000) break;
        after = page.at(-1)!.seq;
      }
      if (file) await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }));
}
