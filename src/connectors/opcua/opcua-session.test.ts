import { EndpointDescription, MessageSecurityMode, SecurityPolicy, UserTokenType } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import type { OpcUaSettings } from '../../core/connector-settings.js';
import { pickEndpoint } from './opcua-session.js';
import { checkSettings } from './settings-check.js';

const ep = (mode: MessageSecurityMode, policy: SecurityPolicy, tokens: UserTokenType[]) =>
  new EndpointDescription({ endpointUrl: 'opc.tcp://h:4840', securityMode: mode, securityPolicyUri: policy, userIdentityTokens: tokens.map((tokenType) => ({ tokenType, policyId: String(tokenType) })) });

const settings = (over: Partial<OpcUaSettings> = {}): OpcUaSettings => ({
  endpointUrl: 'opc.tcp://h:4840', securityMode: 'SignAndEncrypt', login: { kind: 'anonymous' }, nodes: [{ nodeId: 'ns=2;s=T', tag: 'a/b/c/t' }], ...over,
});

describe('pickEndpoint', () => {
  const offered = [
    ep(MessageSecurityMode.None, SecurityPolicy.None, [UserTokenType.Anonymous]),
    ep(MessageSecurityMode.Sign, SecurityPolicy.Basic256Sha256, [UserTokenType.UserName]),
    ep(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256, [UserTokenType.UserName, UserTokenType.Anonymous]),
  ];
  it('picks the endpoint of the configured mode and policy', () => {
    expect(pickEndpoint(offered, settings()).securityMode).toBe(MessageSecurityMode.SignAndEncrypt);
    expect(pickEndpoint(offered, settings({ securityMode: 'Sign', login: { kind: 'username', username: 'u', password: 'p' } })).securityMode).toBe(MessageSecurityMode.Sign);
  });
  it('names what the server offers when nothing matches', () => {
    expect(() => pickEndpoint(offered, settings({ securityPolicy: 'Aes256_Sha256_RsaPss' }))).toThrow(/SignAndEncrypt\/Aes256_Sha256_RsaPss; it offers: None\/None, Sign\/Basic256Sha256, SignAndEncrypt\/Basic256Sha256/);
    expect(() => pickEndpoint(offered, settings({ securityMode: 'Sign' }))).toThrow(/does not accept anonymous login; it accepts: UserName/);
  });
});

describe('checkSettings', () => {
  it('refuses settings that cannot work with LIGHTSOUT_CONFIG_INVALID', () => {
    const bad: Array<[Partial<OpcUaSettings>, RegExp]> = [
      [{ securityMode: 'None' }, /allowInsecure/],
      [{ endpointUrl: 'http://h' }, /opc\.tcp/],
      [{ nodes: [{ nodeId: 'nonsense;;', tag: 'a/b/c/t' }] }, /nodes\[0\]\.nodeId/],
    ];
    for (const [over, msg] of bad) expect(() => checkSettings(settings(over))).toThrow(expect.objectContaining({ code: 'LIGHTSOUT_CONFIG_INVALID', message: expect.stringMatching(msg) }));
    expect(() => checkSettings(settings({ securityMode: 'None', allowInsecure: true }))).not.toThrow();
  });
});
