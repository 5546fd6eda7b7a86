// `cognito:USER_POOL_ARN` and `cognito:USER_POOL_ARN#PROVIDER`: a Cognito user pool's own SAML
// signing certificate (GetSigningCertificate: the IdPs that trust the pool hold its public half),
// and the metadata of one of its SAML identity providers (DescribeIdentityProvider: MetadataFile).
// Either one expiring breaks sign-in through the pool, and Cognito warns of neither.
//
// Discovery: Cognito user pools that federate with SAML: the pool's own signing certificate
// (`cognito:POOL_ARN`), and each SAML identity provider's metadata: kept in Cognito as a file
// (`cognito:POOL_ARN#PROVIDER`) or fetched by Cognito from a URL, which certvigil then reads
// itself (`saml:URL`, by the documents function).
import { Readable } from 'node:stream';
import {
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  GetSigningCertificateCommand,
  ListIdentityProvidersCommand,
  ListTagsForResourceCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { certificatesIn } from '../../certificate/pem-blocks.ts';
import { mapWithConcurrency } from '../../concurrency.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { boundText } from '../../text-bounds.ts';
import { bundleResult, judgedResult, judgeFor, readOrFail } from '../document-result.ts';
import { MAX_SAML_BYTES, parseSamlMetadata, samlPurpose } from '../documents/saml.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError, regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { tagRecord } from './tags.ts';

/** `arn:…:userpool/eu-west-1_AbC123[#Provider]` → the pool's ARN, id and the provider's name. */
export function cognitoSource(source: string): { arn: string; poolId: string; provider: string | undefined } {
  const hash = source.indexOf('#');
  const arn = hash === -1 ? source : source.slice(0, hash);
  const provider = hash === -1 ? undefined : source.slice(hash + 1);
  return { arn, poolId: arn.split('/').pop() ?? '', provider: provider || undefined };
}

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const { arn, poolId, provider } = cognitoSource(request.source as string);
    const cognito = accountClient(CognitoIdentityProviderClient, context.awsRoles, accountOf(arn), regionOf(arn));
    if (!provider) {
      const answer = await cognito.send(new GetSigningCertificateCommand({ UserPoolId: poolId })).catch((error) => {
        throw awsError(error, 'Cognito GetSigningCertificate');
      });
      // The certificate comes as bare base64 DER (no PEM armour).
      const body = (answer.Certificate ?? '').trim();
      const der = Buffer.from(body.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
      const certificates = await certificatesIn(der);
      return bundleResult(request, context, certificates.slice(0, 1), "the user pool's signing certificate");
    }
    const answer = await cognito
      .send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: provider }))
      .catch((error) => {
        throw awsError(error, 'Cognito DescribeIdentityProvider');
      });
    const details = answer.IdentityProvider?.ProviderDetails ?? {};
    if (answer.IdentityProvider?.ProviderType !== 'SAML') {
      throw new ProbeError(
        'empty',
        `the identity provider is not a SAML one (${boundText(String(answer.IdentityProvider?.ProviderType), 32)})`,
      );
    }
    const document = details.MetadataFile;
    if (!document) {
      const url = details.MetadataURL ? ` from ${boundText(details.MetadataURL, 200)}: watch it as saml:URL` : '';
      throw new ProbeError('empty', `the provider keeps no metadata file in Cognito${url}`);
    }
    if (Buffer.byteLength(document) > MAX_SAML_BYTES) {
      throw new ProbeError('parse', `the provider's metadata is larger than ${MAX_SAML_BYTES} bytes`);
    }
    const judge = judgeFor(request, context, samlPurpose);
    await parseSamlMetadata(Readable.from([Buffer.from(document)]), (item) => judge.add(item));
    return judgedResult(request, context, judge, "the provider's metadata");
  });
}

/** Pools and providers read at once (Cognito's list and describe quotas are a few per second). */
const CONCURRENCY = 4;

export const finder: Finder = {
  service: 'cognito',
  async find(context) {
    const cognito = context.client(CognitoIdentityProviderClient);
    const pools: string[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('Cognito ListUserPools', () =>
        cognito.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token })),
      );
      for (const p of page.UserPools ?? []) if (p.Id) pools.push(p.Id);
      token = page.NextToken;
    } while (token);
    const perPool = await mapWithConcurrency(pools, CONCURRENCY, async (poolId) => {
      const arn = `arn:${context.partition}:cognito-idp:${context.region}:${context.account}:userpool/${poolId}`;
      const saml: string[] = [];
      let next: string | undefined;
      do {
        const page = await context.call('Cognito ListIdentityProviders', () =>
          cognito.send(new ListIdentityProvidersCommand({ UserPoolId: poolId, MaxResults: 60, NextToken: next })),
        );
        for (const p of page.Providers ?? [])
          if (p.ProviderType === 'SAML' && p.ProviderName) saml.push(p.ProviderName);
        next = page.NextToken;
      } while (next);
      // A pool without SAML federation uses no signing certificate anyone holds: nothing to watch.
      if (saml.length === 0) return [];
      const found: Omit<DiscoveredResource, 'tags'>[] = [
        { target: `cognito:${arn}`, service: 'cognito', resource: arn },
      ];
      for (const provider of saml) {
        const described = await context.call('Cognito DescribeIdentityProvider', () =>
          cognito.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: provider })),
        );
        const url = described.IdentityProvider?.ProviderDetails?.MetadataURL;
        const resource = `${arn}#${provider}`;
        found.push({ target: url ? `saml:${url}` : `cognito:${resource}`, service: 'cognito', resource });
      }
      const tags = found.some((f) => context.isNew(f.target))
        ? tagRecord(
            (
              await context.call('Cognito ListTagsForResource', () =>
                cognito.send(new ListTagsForResourceCommand({ ResourceArn: arn })),
              )
            ).Tags,
          )
        : {};
      return found.map((f) => ({ ...f, tags }));
    });
    return perPool.flat();
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadCognitoSamlCertificates',
    actions: ['cognito-idp:GetSigningCertificate', 'cognito-idp:DescribeIdentityProvider'],
    resources: ['arn:{partition}:cognito-idp:*:{account}:userpool/*'],
    why: "Any Cognito user pool of this account, any region: its signing certificate and its SAML providers' metadata (public certificates); read-only.",
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['cognito-idp:ListUserPools'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadCognitoFederation',
    actions: [
      'cognito-idp:ListIdentityProviders',
      'cognito-idp:DescribeIdentityProvider',
      'cognito-idp:ListTagsForResource',
    ],
    resources: ['arn:{partition}:cognito-idp:*:{account}:userpool/*'],
    why: "Any Cognito user pool of this account, any region: its identity providers, their metadata and the pool's tags; read-only.",
  },
];
