import { describe, expect, it } from 'vitest';
import { can, canSomewhere, formatGrant, grantsWithin, inScope, parseGrant, requireRole, type Principal } from './auth.js';

const who = (grants: Principal['grants']): Principal => ({ kind: 'user', id: 'u1', name: 'ann', tenant: 't', grants, platformOperator: false });

describe('roles on asset subtrees', () => {
  it('a scope covers itself and what is below it, not its siblings or prefixes of names', () => {
    expect(inScope('', 'a/b')).toBe(true);
    expect(inScope('s/a/line-2', 's/a/line-2')).toBe(true);
    expect(inScope('s/a/line-2', 's/a/line-2/m1/temp')).toBe(true);
    expect(inScope('s/a/line-2', 's/a/line-20/m1/temp')).toBe(false);
    expect(inScope('s/a/line-2', 's/a')).toBe(false);
  });

  it('a role includes the weaker ones, only inside its scope', () => {
    const p = who([{ role: 'operator', scope: 's/a/line-2' }, { role: 'viewer', scope: '' }]);
    expect(can(p, 'viewer', 's/a/line-1/m/x')).toBe(true);
    expect(can(p, 'operator', 's/a/line-1/m/x')).toBe(false);
    expect(can(p, 'operator', 's/a/line-2/m/x')).toBe(true);
    expect(can(p, 'engineer', 's/a/line-2/m/x')).toBe(false);
    expect(canSomewhere(p, 'operator', 's/a')).toBe(true);
    expect(() => requireRole(p, 'engineer', 's/a/line-2', 'configure')).toThrow(/engineer role on "s\/a\/line-2"/);
  });

  it('parses and prints grants, refusing unknown roles and wildcards', () => {
    expect(parseGrant('operator@s/a/line-2/')).toEqual({ role: 'operator', scope: 's/a/line-2' });
    expect(parseGrant('admin')).toEqual({ role: 'admin', scope: '' });
    expect(formatGrant({ role: 'viewer', scope: 'x/y' })).toBe('viewer@x/y');
    expect(() => parseGrant('root')).toThrow(/unknown role/);
    expect(() => parseGrant('viewer@s/#')).toThrow(/asset path/);
  });

  it('nobody hands out more than they hold', () => {
    const lineAdmin = who([{ role: 'admin', scope: 's/a/line-2' }]);
    expect(grantsWithin(lineAdmin, [{ role: 'viewer', scope: 's/a/line-2/m1' }])).toBe(true);
    expect(grantsWithin(lineAdmin, [{ role: 'viewer', scope: '' }])).toBe(false);
    expect(grantsWithin(lineAdmin, [{ role: 'admin', scope: 's/a/line-1' }])).toBe(false);
  });
});
