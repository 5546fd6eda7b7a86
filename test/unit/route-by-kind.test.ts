import { describe, expect, it } from 'vitest';
import { invokeSender, type ProbePayload, routeByKind } from '../../lib/dispatch/dispatch-round.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';

describe('routing dispatched targets by kind', () => {
  it('sends TLS targets to the probe and document targets to the documents function', async () => {
    const probe: string[] = [];
    const documents: string[] = [];
    const account: string[] = [];
    const sender = routeByKind(
      invokeSender(async (p) => void probe.push(p.target.id)),
      {
        documents: invokeSender(async (p) => {
          if (p.target.kind === 'pem') throw new Error('refused');
          documents.push(p.target.id);
        }),
        account: invokeSender(async (p) => void account.push(p.target.id)),
      },
    );
    const payload = (host: string): ProbePayload => ({ roundId: 'r', target: normalizeTarget({ host }) });
    const failed = await sender.send([
      payload('example.com'),
      payload('saml:https://idp.example.com/md'),
      payload('mail.example.com:587'),
      payload('jwks:https://login.example.com/keys'),
      payload('pem:https://example.com/ca.pem'),
      payload('iam:legacy-elb'),
    ]);
    expect(account).toEqual(['iam:legacy-elb']);
    expect(probe).toEqual(['example.com:443', 'mail.example.com:587/smtp']);
    expect(documents).toEqual(['saml:https://idp.example.com/md', 'jwks:https://login.example.com/keys']);
    expect(failed.map((f) => f.payload.target.id)).toEqual(['pem:https://example.com/ca.pem']);
  });

  it('sends everything to the probe where no documents function is configured', () => {
    const tls = invokeSender(async () => undefined);
    expect(routeByKind(tls, {})).toBe(tls);
  });
});
