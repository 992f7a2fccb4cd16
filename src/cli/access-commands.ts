/**
 * `lightsout user|token|tenant …`: manage people and access from the console, on the data
 * directory (also while the platform runs). Every change is audited as `cli:<os user>`.
 * @module
 */
import type { Command } from 'commander';
import { formatGrant, parseGrant, type Principal } from '../core/auth.js';
import { LightsoutError } from '../core/errors.js';
import { NEVER } from '../auth/auth-service.js';
import { generatePassword } from '../auth/secrets.js';
import { withStores, type DataDirStores } from './open-stores.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The console acting inside one tenant. */
function inTenant(actor: Principal, tenant: string | undefined): Principal {
  return tenant === undefined ? actor : { ...actor, tenant };
}

async function userByName(s: DataDirStores, username: string) {
  const u = await s.auth.store.findUser(username);
  if (!u) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no user "${username}"`);
  return u;
}

/** Register the user, token and tenant commands. */
export function registerAccessCommands(program: Command): void {
  const user = program.command('user').description('Manage users: add, passwd, list, disable, enable, remove.');
  user.command('add <username>')
    .description('Add a user; prints a generated password unless --password is given.')
    .option('--tenant <id>', 'tenant of the user (default: the default tenant)')
    .option('--role <role[@scope]>', 'grant, repeatable: viewer|operator|engineer|admin, optionally @site/area/line', collect)
    .option('--password <password>', 'initial password (at least 12 characters); better: let one be generated')
    .option('--platform-operator', 'may also manage tenants')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((username: string, o: { tenant?: string; role?: string[]; password?: string; platformOperator?: boolean; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const grants = (o.role ?? ['viewer']).map(parseGrant);
      const r = await s.admin.createUser(s.actor, { username, grants, ...(o.password ? { password: o.password } : {}), ...(o.platformOperator ? { platformOperator: true } : {}), ...(o.tenant ? { tenant: o.tenant } : {}) });
      console.log(`user ${r.user.username} added to tenant ${r.user.tenant} with ${r.user.grants.map(formatGrant).join(', ')}`);
      if (r.password) console.log(`password: ${r.password}   (shown only now)`);
    }));
  user.command('passwd <username>')
    .description('Set a user\'s password (generated and printed unless --password is given); ends their sessions.')
    .option('--password <password>', 'the new password (at least 12 characters)')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((username: string, o: { password?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const u = await userByName(s, username);
      const password = o.password ?? generatePassword();
      await s.admin.updateUser(inTenant(s.actor, u.tenant), u.id, { password });
      console.log(`password of ${username} changed; their sessions ended`);
      if (!o.password) console.log(`password: ${password}   (shown only now)`);
    }));
  user.command('list')
    .description('List users.')
    .option('--tenant <id>', 'only this tenant')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { tenant?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const users = await s.auth.store.listUsers(o.tenant);
      if (users.length === 0) console.log('no users');
      for (const u of users) {
        console.log([u.tenant.padEnd(16), u.username.padEnd(24), u.grants.map(formatGrant).join(',').padEnd(40), u.platformOperator ? 'platform-operator' : '', u.disabled ? 'DISABLED' : ''].join(' ').trimEnd());
      }
    }));
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    user.command(`${name} <username>`)
      .description(`${name === 'disable' ? 'Disable' : 'Enable'} a user${disabled ? ' (ends their sessions; their tokens stop working)' : ''}.`)
      .option('--data-dir <dir>', 'data directory', './data')
      .action((username: string, o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
        const u = await userByName(s, username);
        await s.admin.updateUser(inTenant(s.actor, u.tenant), u.id, { disabled });
        console.log(`user ${username} ${name}d`);
      }));
  }
  user.command('remove <username>')
    .description('Delete a user.')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((username: string, o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
      const u = await userByName(s, username);
      await s.admin.deleteUser(inTenant(s.actor, u.tenant), u.id);
      console.log(`user ${username} removed`);
    }));

  const token = program.command('token').description('Manage API tokens: create, revoke, list.');
  token.command('create')
    .description('Create an API token owned by a user; prints it once (send as "Authorization: Bearer <token>").')
    .requiredOption('--user <username>', 'owner; the token never holds more than they do')
    .requiredOption('--name <name>', 'what the token is for, e.g. "mes-integration"')
    .option('--role <role[@scope]>', 'grant, repeatable (default: all of the owner\'s)', collect)
    .option('--days <n>', 'expires after this many days', '90')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { user: string; name: string; role?: string[]; days: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const u = await userByName(s, o.user);
      const r = await s.admin.createToken(inTenant(s.actor, u.tenant), { name: o.name, ...(o.role ? { grants: o.role.map(parseGrant) } : {}), expiresDays: Number(o.days) }, u);
      console.log(`token ${r.token.id} "${r.token.name}" for ${u.username} (${r.token.grants.map(formatGrant).join(', ')}), expires ${new Date(r.token.expiresTs).toISOString()}`);
      console.log(r.secret);
    }));
  token.command('revoke <id>')
    .description('Revoke a token by id.')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((id: string, o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
      const t = await s.auth.store.getToken(id);
      if (!t) throw new LightsoutError('LIGHTSOUT_NOT_FOUND', `no token ${id}`);
      await s.admin.revokeToken(inTenant(s.actor, t.tenant), id);
      console.log(`token ${id} "${t.name}" revoked`);
    }));
  token.command('list')
    .description('List tokens of a tenant.')
    .option('--tenant <id>', 'tenant (default: the default tenant)')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { tenant?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      for (const t of await s.admin.listTokens(inTenant(s.actor, o.tenant))) {
        const state = t.revokedTs !== undefined ? 'revoked' : t.expiresTs <= Date.now() ? 'expired' : t.expiresTs >= NEVER ? 'never expires' : `expires ${new Date(t.expiresTs).toISOString().slice(0, 10)}`;
        console.log([t.id, t.name.padEnd(24), t.owner.padEnd(16), t.grants.map(formatGrant).join(','), state].join('  '));
      }
    }));

  const device = program.command('device').description('Manage device credentials (MQTT user names and passwords): add, list, passwd, disable, enable, remove.');
  device.command('add <id>')
    .description('Add a device; prints a generated password unless --password is given. The id is its MQTT user name.')
    .option('--tenant <id>', 'tenant of the device (default: the default tenant)')
    .option('--password <password>', 'password (at least 12 characters); better: let one be generated')
    .option('--description <text>', 'what it is, e.g. "line 2 edge gateway"')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((id: string, o: { tenant?: string; password?: string; description?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const r = await s.devices.add(s.actor, { id, ...(o.tenant ? { tenant: o.tenant } : {}), ...(o.password ? { password: o.password } : {}), ...(o.description ? { description: o.description } : {}) });
      console.log(`device ${r.device.id} added to tenant ${r.device.tenant}: it may use uns/${r.device.tenant}/… and the Sparkplug groups tenant ${r.device.tenant} owns`);
      if (r.password) console.log(`password: ${r.password}   (shown only now)`);
    }));
  device.command('list')
    .description('List devices of a tenant.')
    .option('--tenant <id>', 'tenant (default: the default tenant)')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { tenant?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const list = await s.devices.list(inTenant(s.actor, o.tenant));
      if (list.length === 0) console.log('no devices');
      for (const d of list) console.log([d.id.padEnd(32), d.tenant.padEnd(16), d.description ?? '', d.disabled ? 'DISABLED' : ''].join(' ').trimEnd());
    }));
  device.command('passwd <id>')
    .description('Set a device\'s password (generated and printed unless --password is given).')
    .option('--password <password>', 'the new password')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((id: string, o: { password?: string; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const password = await s.devices.resetPassword(s.actor, id, o.password);
      console.log(`password of device ${id} changed`);
      if (!o.password) console.log(`password: ${password}   (shown only now)`);
    }));
  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    device.command(`${verb} <id>`)
      .description(disabled ? 'Disable a device: it can no longer connect, and a running platform closes its connections within seconds.' : 'Enable a disabled device again.')
      .option('--data-dir <dir>', 'data directory', './data')
      .action((id: string, o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
        await s.devices.setDisabled(s.actor, id, disabled);
        console.log(`device ${id} ${verb}d`);
      }));
  }
  device.command('remove <id>')
    .description('Remove a device\'s credentials.')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((id: string, o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
      await s.devices.remove(s.actor, id);
      console.log(`device ${id} removed`);
    }));

  const tenant = program.command('tenant').description('Manage tenants (one per company): add, list.');
  tenant.command('add <id>')
    .description('Add a tenant; then `lightsout user add <name> --tenant <id> --role admin` for its first admin.')
    .option('--name <name>', 'display name')
    .option('--sparkplug-group <group>', 'a Sparkplug group id it owns, or a prefix ending in * (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory', './data')
    .action((id: string, o: { name?: string; sparkplugGroup?: string[]; dataDir: string }) => withStores(o.dataDir, async (s) => {
      const t = await s.admin.createTenant(s.actor, { id, ...(o.name ? { name: o.name } : {}), sparkplugGroups: o.sparkplugGroup ?? [] });
      console.log(`tenant ${t.id} added${t.sparkplugGroups.length ? ` owning Sparkplug groups ${t.sparkplugGroups.join(', ')}` : ''}; a running platform picks it up within seconds`);
    }));
  tenant.command('list')
    .description('List tenants.')
    .option('--data-dir <dir>', 'data directory', './data')
    .action((o: { dataDir: string }) => withStores(o.dataDir, async (s) => {
      for (const t of await s.admin.listTenants(s.actor)) console.log([t.id.padEnd(16), t.name.padEnd(24), t.sparkplugGroups.join(',') || '-', t.disabled ? 'DISABLED' : ''].join(' ').trimEnd());
    }));
}
