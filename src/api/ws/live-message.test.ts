/** What live clients may send, and how each refusal is coded. */
import { describe, expect, it } from 'vitest';
import { parseLiveMessage } from './live-message.js';

const code = (text: string): string | undefined => {
  const r = parseLiveMessage(text);
  return 'code' in r ? r.code : undefined;
};

describe('parseLiveMessage', () => {
  it('accepts subscribe and ping, keeping only the known fields', () => {
    expect(parseLiveMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(parseLiveMessage('{"type":"subscribe","patterns":["a/#"],"maxRate":20,"resume":{"session":"s1","seq":4}}'))
      .toEqual({ type: 'subscribe', patterns: ['a/#'], maxRate: 20, resume: { session: 's1', seq: 4 } });
    expect(parseLiveMessage('{"type":"subscribe","tags":["a/b"]}')).toEqual({ type: 'subscribe', tags: ['a/b'] });
  });

  it('refuses malformed JSON as a bad payload and wrong shapes as bad requests', () => {
    expect(code('{"type":')).toBe('LIGHTSOUT_BAD_PAYLOAD');
    for (const bad of ['[]', '"subscribe"', 'null', '{"type":"unsubscribe"}', '{}', '{"type":"subscribe","pattern":["a/#"]}',
      '{"type":"subscribe","tags":"a/b"}', '{"type":"subscribe","patterns":[1]}', '{"type":"subscribe","maxRate":"fast"}',
      '{"type":"subscribe","resume":{"session":"s"}}', '{"type":"subscribe","resume":{"session":"s","seq":-1}}']) {
      expect(code(bad), bad).toBe('LIGHTSOUT_BAD_REQUEST');
    }
  });
});
