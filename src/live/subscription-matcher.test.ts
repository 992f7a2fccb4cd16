/** Pattern compilation and matching of live subscriptions. */
import { describe, expect, it } from 'vitest';
import { compilePattern, Subscription } from './subscription-matcher.js';

describe('compilePattern', () => {
  const m = (pattern: string, path: string): boolean => compilePattern(pattern)(path);

  it('matches # as everything below, at any depth, but not the level itself', () => {
    expect(m('site/area/#', 'site/area/line/m/t')).toBe(true);
    expect(m('site/area/#', 'site/area/t')).toBe(true);
    expect(m('site/area/#', 'site/area')).toBe(false);
    expect(m('site/area/#', 'site/areal/m/t')).toBe(false);
    expect(m('#', 'a/b')).toBe(true);
  });

  it('matches + as exactly one level', () => {
    expect(m('site/+/line-1/#', 'site/machining/line-1/cnc/t')).toBe(true);
    expect(m('site/+/line-1/#', 'site/machining/line-2/cnc/t')).toBe(false);
    expect(m('site/+/+/+/temp', 'site/a/l/m/temp')).toBe(true);
    expect(m('site/+/+/+/temp', 'site/a/l/m/x/temp')).toBe(false);
    expect(m('site/+/temp', 'site/temp')).toBe(false);
  });

  it('treats a pattern without wildcards as an exact tag path', () => {
    expect(m('site/a/m/t', 'site/a/m/t')).toBe(true);
    expect(m('site/a/m/t', 'site/a/m/t2')).toBe(false);
  });

  it('refuses bad patterns with LIGHTSOUT_BAD_TAG_PATH', () => {
    for (const bad of ['', 'site/#/x', 'site/a+/#', 'site//#', 'site/#x', '$SYS/#', 'single']) {
      expect(() => compilePattern(bad), bad).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_BAD_TAG_PATH' }));
    }
  });
});

describe('Subscription', () => {
  it('matches exact tags or patterns and has a canonical key', () => {
    const s = new Subscription(['a/b/t'], ['x/#', 'x/#'], 10);
    expect(s.matches('a/b/t')).toBe(true);
    expect(s.matches('x/y/z')).toBe(true);
    expect(s.matches('a/b/u')).toBe(false);
    expect(new Subscription(['a/b/t'], ['x/#'], 10).key).toBe(s.key);
  });

  it('refuses more entries than allowed', () => {
    expect(() => new Subscription(['a/b', 'a/c'], ['x/#'], 2)).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_LIMIT_EXCEEDED' }));
  });
});
