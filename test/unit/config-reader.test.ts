// The functions' configuration, read from the environment: one error naming every missing or bad
// variable, role ARNs by account, ACME directories merged onto the defaults.
import { describe, expect, it } from 'vitest';
import { ConfigError, discoveryConfig, probeConfig } from '../../lib/config.ts';
import { DEFAULT_ARI_DIRECTORIES } from '../../lib/sources/tls/renewal-info/directories.ts';

const PROBE = { TARGETS_TABLE: 't', HISTORY_TABLE: 'h', TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts' };
const DISCOVERY = { TARGETS_TABLE: 't', TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts' };

describe('configuration from the environment', () => {
  it('names every missing and bad variable in one error', () => {
    expect(() =>
      probeConfig({ HISTORY_TABLE: 'h', ARI_DIRECTORIES: '["x"]', ACCOUNT_ROLE_ARNS: 'arn:aws:iam::1:user/x' }),
    ).toThrow(
      new ConfigError(
        'certvigil configuration: missing environment variables TARGETS_TABLE, TOPIC_ARN; ACCOUNT_ROLE_ARNS: "arn:aws:iam::1:user/x" is not the ARN of an IAM role; ARI_DIRECTORIES: must be a JSON object of issuer organization to https ACME directory URL',
      ),
    );
  });

  it('reads the action links as both their URL and their key, or neither', () => {
    expect(probeConfig(PROBE).actionLinks).toBeUndefined();
    const url = 'https://abc.lambda-url.eu-west-1.on.aws/';
    const keySecret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:key';
    expect(probeConfig({ ...PROBE, ACTION_LINKS_URL: url, ACTION_KEY_SECRET: keySecret }).actionLinks).toEqual({
      url,
      keySecret,
      days: 7,
    });
    expect(() => probeConfig({ ...PROBE, ACTION_LINKS_URL: url })).toThrow(
      /missing environment variable ACTION_KEY_SECRET/,
    );
    expect(() => probeConfig({ ...PROBE, ACTION_KEY_SECRET: keySecret, ACTION_LINK_DAYS: '31' })).toThrow(
      /missing environment variable ACTION_LINKS_URL; ACTION_LINK_DAYS must be a whole number from 1 to 30/,
    );
  });

  it('reads role ARNs by account, and ACME directories onto the defaults', () => {
    const config = probeConfig({
      ...PROBE,
      ACCOUNT_ROLE_ARNS: ' arn:aws:iam::111122223333:role/certvigil-read , arn:aws:iam::444455556666:role/r ',
      ARI_DIRECTORIES: '{"Example CA": "https://acme.example/directory"}',
    });
    expect([...(config.accountRoles ?? [])]).toEqual([
      ['111122223333', 'arn:aws:iam::111122223333:role/certvigil-read'],
      ['444455556666', 'arn:aws:iam::444455556666:role/r'],
    ]);
    expect(config.ariDirectories).toEqual({
      ...DEFAULT_ARI_DIRECTORIES,
      'Example CA': 'https://acme.example/directory',
    });
    expect(discoveryConfig({ ...DISCOVERY, ACCOUNT_ROLE_ARNS: '' }).accountRoles.size).toBe(0);
    expect(probeConfig(PROBE).ariDirectories).toEqual(DEFAULT_ARI_DIRECTORIES);
    expect(() => probeConfig({ ...PROBE, ARI_DIRECTORIES: '{"CA": "http://plain.example"}' })).toThrow(
      /ARI_DIRECTORIES: must be a JSON object/,
    );
    expect(() =>
      discoveryConfig({
        ...DISCOVERY,
        ACCOUNT_ROLE_ARNS: 'arn:aws:iam::111122223333:role/a,arn:aws:iam::111122223333:role/b',
      }),
    ).toThrow(/two roles are given for account 111122223333/);
  });
});
