import { describe, expect, it } from 'vitest';
import type { TenantRecord } from '../core/auth-port.js';
import { badClientId, GroupOwnership, TopicAcl } from './mqtt-acl.js';

const tenant = (id: string, groups: string[], disabled = false): TenantRecord => ({ id, name: id, sparkplugGroups: groups, disabled, createdTs: 0 });

describe('Sparkplug group ownership', () => {
  it('an exact claim wins, then the longest prefix; disabled tenants own nothing', () => {
    const g = new GroupOwnership([tenant('demo', ['*']), tenant('acme', ['acme:*']), tenant('acme-east', ['acme:east*']), tenant('beta', ['acme:lab']), tenant('gone', ['old:*'], true)]);
    expect(g.ownerOf('shanghai:machining')).toBe('demo');
    expect(g.ownerOf('acme:west')).toBe('acme');
    expect(g.ownerOf('acme:east-2')).toBe('acme-east');
    expect(g.ownerOf('acme:lab')).toBe('beta');
    expect(g.ownerOf('old:x')).toBe('demo');
    expect(new GroupOwnership([tenant('acme', ['acme:*'])]).ownerOf('other')).toBeUndefined();
  });
});

describe('topic ACL', () => {
  const acl = new TopicAcl(new GroupOwnership([tenant('demo', ['*']), tenant('acme', ['acme:*'])]), 'lightsout');

  it('publish: own UNS tenant and own Sparkplug groups only; never STATE or $ topics', () => {
    expect(acl.checkPublish('acme', 'uns/acme/site/m/t')).toBeUndefined();
    expect(acl.checkPublish('acme', 'uns/demo/site/m/t')).toMatch(/outside tenant acme/);
    expect(acl.checkPublish('acme', 'uns/acme')).toMatch(/must be/);
    expect(acl.checkPublish('acme', 'spBv1.0/acme:plant/NDATA/n1')).toBeUndefined();
    expect(acl.checkPublish('acme', 'spBv1.0/plant/NDATA/n1')).toMatch(/does not belong/);
    expect(acl.checkPublish('demo', 'spBv1.0/acme:plant/NDATA/n1')).toMatch(/does not belong/);
    expect(acl.checkPublish('acme', 'spBv1.0/STATE/lightsout')).toMatch(/STATE/);
    expect(acl.checkPublish('acme', 'spBv1.0/acme:plant/DCMD/n1/d1')).toMatch(/only the platform sends commands/);
    expect(acl.checkPublish('acme', 'spBv1.0/acme:plant/NCMD/n1')).toMatch(/only the platform sends commands/);
    expect(acl.checkPublish('acme', 'uns/acme/site/m/speed_sp/set')).toMatch(/only the platform sends commands/);
    expect(acl.checkPublish('acme', '$SYS/x')).toMatch(/reserved/);
    expect(acl.checkPublish('acme', 'other/topic')).toMatch(/outside/);
  });

  it('subscribe: wildcards only inside the namespace', () => {
    for (const f of ['#', '+/#', 'uns/#', 'uns/+/#', 'uns/demo/#', 'spBv1.0/#', 'spBv1.0/+/NDATA/#', 'spBv1.0/plant/#', '$SYS/#', '$share/g/uns/acme/#', 'spBv1.0/STATE/other', 'spBv1.0/STATE/#']) {
      expect(acl.checkSubscribe('acme', f), f).toBeDefined();
    }
    for (const f of ['uns/acme/#', 'uns/acme/+/line/#', 'spBv1.0/acme:plant/NCMD/n1', 'spBv1.0/acme:plant/DCMD/n1/+', 'spBv1.0/STATE/lightsout', 'spBv1.0/STATE/+']) {
      expect(acl.checkSubscribe('acme', f), f).toBeUndefined();
    }
  });

  it('client ids with wildcards, slashes or control characters are refused', () => {
    expect(badClientId('edge-1')).toBe(false);
    expect(badClientId('edge_1.line-2:x')).toBe(false);
    expect(badClientId('a/b')).toBe(true);
    expect(badClientId('a#')).toBe(true);
    expect(badClientId('a+b')).toBe(true);
    expect(badClientId('a\u0000')).toBe(true);
  });
});
