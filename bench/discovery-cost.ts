// What a daily discovery costs for an account with 1,000 ACM certificates and 500 endpoints
// (250 CloudFront aliases, 100 load balancer listeners, 100 API Gateway domains, 50 AppSync
// domains) and the authentication certificates of 10 IAM SAML providers and 40 Cognito user
// pools (20 federating with two SAML providers each: one metadata file, one URL) and 5 IoT Core
// CA certificates, 150 RDS/Aurora DB instances (2 pages of DescribeDBInstances) and 20 API Gateway
// client certificates, 10 ELB trust stores, 3 Private CAs and 5,000 IoT device certificates (every
// 100th ending within 90 days; discovery reads the oldest 1,000), in one region. Runs the real discovery and enrolment against DynamoDB Local, with the
// AWS list APIs answered by aws-sdk-client-mock, and measures: API calls per service, DynamoDB
// capacity consumed (DynamoDB Local reports it when asked), CPU time and peak memory. The
// Lambda duration adds an assumed AWS API latency per sequential call (printed), since mocks
// answer at once. Prices: us-east-1 list prices, November 2026.
// Usage: npm run bench:discovery

import {
  ACMClient,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  APIGatewayClient,
  GetClientCertificatesCommand,
  GetDomainNamesCommand as RestDomains,
} from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetDomainNamesCommand } from '@aws-sdk/client-apigatewayv2';
import {
  AppSyncClient,
  ListTagsForResourceCommand as AppSyncTags,
  ListDomainNamesCommand,
} from '@aws-sdk/client-appsync';
import { CloudFrontClient, ListDistributionsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import {
  CognitoIdentityProviderClient,
  ListTagsForResourceCommand as CognitoTags,
  DescribeIdentityProviderCommand,
  ListIdentityProvidersCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTrustStoresCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  IAMClient,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  ListServerCertificatesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeCertificateCommand as DescribeIotCertificate,
  IoTClient,
  ListTagsForResourceCommand as IotTags,
  ListCACertificatesCommand,
  ListCertificatesCommand as ListIotCertificates,
} from '@aws-sdk/client-iot';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { runDiscovery } from '../lib/discovery/run-discovery.ts';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import {
  ListCertificateAuthoritiesCommand,
  ListTagsCommand,
  PrivateCaClient,
} from '../lib/sources/aws/acm-pca-client.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { createTableInputs } from '../lib/store/table-schema.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { countConsumedCapacity } from './consumed-capacity.ts';

const CERTS = 1000;
const DB_INSTANCES = 150;
const CLIENT_CERTIFICATES = 20;
const TRUST_STORES = 10;
const PRIVATE_CAS = 3;
/** IoT device certificates; every 100th ends within 90 days. */
const DEVICES = 5000;
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
/** Assumed latency of one AWS API call from Lambda (the mocks answer at once). */
const API_LATENCY_MS = 60;
const MEMORY_GB = 0.5; // the discovery function's memory
const PRICE = {
  lambdaGbSecond: 0.0000133334, // arm64
  lambdaRequest: 0.2 / 1e6,
  writeUnit: 0.625 / 1e6, // DynamoDB on demand
  readUnit: 0.125 / 1e6,
  secretsApiCall: 0.05 / 10_000,
  metricMonth: 0.3, // one custom metric (discoveryProblems)
  alarmMonth: 0.1,
};

const calls = new Map<string, number>();
const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);

// The account: answers shaped as the services answer, pages as they page.
const acm = mockClient(ACMClient);
const arns = Array.from({ length: CERTS }, (_, i) => `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/c${i}`);
acm.on(ListCertificatesCommand).callsFake(async (input) => {
  count('acm:ListCertificates');
  const start = Number(input.NextToken ?? 0);
  const page = arns.slice(start, start + (input.MaxItems ?? 1000));
  const next = start + page.length;
  return {
    CertificateSummaryList: page.map((CertificateArn) => ({ CertificateArn })),
    NextToken: next < arns.length ? String(next) : undefined,
  };
});
acm.on(ListTagsForCertificateCommand).callsFake(async () => {
  count('acm:ListTagsForCertificate');
  return {
    Tags: [
      { Key: 'owner', Value: 'web-platform' },
      { Key: 'env', Value: 'prod' },
    ],
  };
});
acm.on(DescribeCertificateCommand).callsFake(async () => {
  count('acm:DescribeCertificate');
  return { Certificate: { DomainName: 'shop.example.com' } };
});
const iam = mockClient(IAMClient);
iam.on(ListServerCertificatesCommand).callsFake(async () => {
  count('iam:ListServerCertificates');
  return { ServerCertificateMetadataList: [], IsTruncated: false };
});
iam.on(ListSAMLProvidersCommand).callsFake(async () => {
  count('iam:ListSAMLProviders');
  return {
    SAMLProviderList: Array.from({ length: 10 }, (_, i) => ({ Arn: `arn:aws:iam::${ACCOUNT}:saml-provider/idp${i}` })),
  };
});
iam.on(ListSAMLProviderTagsCommand).callsFake(async () => {
  count('iam:ListSAMLProviderTags');
  return { Tags: [{ Key: 'owner', Value: 'identity' }] };
});
// 40 user pools over two pages; the even ones federate with two SAML providers.
const pools = Array.from({ length: 40 }, (_, i) => `${REGION}_Pool${i}`);
const cognito = mockClient(CognitoIdentityProviderClient);
cognito.on(ListUserPoolsCommand).callsFake(async (input) => {
  count('cognito-idp:ListUserPools');
  const start = Number(input.NextToken ?? 0);
  const next = start + (input.MaxResults ?? 60) / 2;
  return {
    UserPools: pools.slice(start, next).map((Id) => ({ Id })),
    NextToken: next < pools.length ? String(next) : undefined,
  };
});
cognito.on(ListIdentityProvidersCommand).callsFake(async (input) => {
  count('cognito-idp:ListIdentityProviders');
  const federates = Number(String(input.UserPoolId).replace(/.*Pool/, '')) % 2 === 0;
  return {
    Providers: federates
      ? [
          { ProviderName: 'Corporate', ProviderType: 'SAML' },
          { ProviderName: 'Partner', ProviderType: 'SAML' },
          { ProviderName: 'Google', ProviderType: 'Google' },
        ]
      : [{ ProviderName: 'Google', ProviderType: 'Google' }],
  };
});
cognito.on(DescribeIdentityProviderCommand).callsFake(async (input) => {
  count('cognito-idp:DescribeIdentityProvider');
  return {
    IdentityProvider: {
      ProviderType: 'SAML',
      ProviderDetails:
        input.ProviderName === 'Partner'
          ? { MetadataURL: `https://partner.example/${input.UserPoolId}/metadata` }
          : { MetadataFile: '<md:EntityDescriptor/>' },
    },
  };
});
const iot = mockClient(IoTClient);
iot.on(ListCACertificatesCommand).callsFake(async () => {
  count('iot:ListCACertificates');
  return {
    certificates: Array.from({ length: 5 }, (_, i) => ({
      certificateArn: `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/${String(i).repeat(64)}`,
      status: 'ACTIVE' as const,
    })),
  };
});
iot.on(ListIotCertificates).callsFake(async (input) => {
  count('iot:ListCertificates');
  const start = Number(input.marker ?? 0);
  const next = Math.min(DEVICES, start + (input.pageSize ?? 25));
  return {
    certificates: Array.from({ length: next - start }, (_, i) => ({
      certificateArn: `arn:aws:iot:${REGION}:${ACCOUNT}:cert/${(start + i).toString(16).padStart(64, '0')}`,
      certificateId: (start + i).toString(16).padStart(64, '0'),
      status: 'ACTIVE' as const,
    })),
    nextMarker: next < DEVICES ? String(next) : undefined,
  };
});
iot.on(DescribeIotCertificate).callsFake(async (input) => {
  count('iot:DescribeCertificate');
  const n = Number.parseInt(String(input.certificateId), 16);
  return {
    certificateDescription: {
      validity: { notBefore: new Date(), notAfter: new Date(Date.now() + (n % 100 === 0 ? 30 : 3000) * 86_400_000) },
    },
  };
});
iot.on(IotTags).callsFake(async () => {
  count('iot:ListTagsForResource');
  return { tags: [{ Key: 'owner', Value: 'fleet' }] };
});
mockClient(RDSClient)
  .on(DescribeDBInstancesCommand)
  .callsFake(async (input) => {
    count('rds:DescribeDBInstances');
    const start = Number(input.Marker ?? 0);
    const next = start + (input.MaxRecords ?? 100);
    return {
      DBInstances: Array.from({ length: Math.max(0, Math.min(next, DB_INSTANCES) - start) }, (_, i) => ({
        DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:db-${start + i}`,
        DBInstanceStatus: 'available',
        TagList: [{ Key: 'owner', Value: 'data' }],
      })),
      Marker: next < DB_INSTANCES ? String(next) : undefined,
    };
  });
cognito.on(CognitoTags).callsFake(async () => {
  count('cognito-idp:ListTagsForResource');
  return { Tags: { owner: 'identity' } };
});
mockClient(SecretsManagerClient)
  .on(ListSecretsCommand)
  .callsFake(async () => {
    count('secretsmanager:ListSecrets');
    return { SecretList: [] };
  });
mockClient(SSMClient)
  .on(DescribeParametersCommand)
  .callsFake(async () => {
    count('ssm:DescribeParameters');
    return { Parameters: [] };
  });
const distributions = Array.from({ length: 100 }, (_, i) => ({
  Id: `E${i}`,
  ARN: `arn:aws:cloudfront::${ACCOUNT}:distribution/E${i}`,
  Enabled: true,
  Aliases: { Quantity: 0, Items: Array.from({ length: i % 2 ? 3 : 2 }, (_, j) => `cdn${i}-${j}.example.com`) },
}));
const cloudfront = mockClient(CloudFrontClient);
cloudfront.on(ListDistributionsCommand).callsFake(async (input) => {
  count('cloudfront:ListDistributions');
  const start = Number(input.Marker ?? 0);
  const next = start + 100;
  return {
    DistributionList: {
      Items: distributions.slice(start, next),
      IsTruncated: next < distributions.length,
      NextMarker: String(next),
    } as never,
  };
});
cloudfront.on(ListTagsForResourceCommand).callsFake(async () => {
  count('cloudfront:ListTagsForResource');
  return { Tags: { Items: [{ Key: 'owner', Value: 'edge' }] } };
});
const elb = mockClient(ElasticLoadBalancingV2Client);
elb.on(DescribeLoadBalancersCommand).callsFake(async () => {
  count('elasticloadbalancing:DescribeLoadBalancers');
  return {
    LoadBalancers: Array.from({ length: 50 }, (_, i) => ({
      LoadBalancerArn: `arn:lb/${i}`,
      DNSName: `lb${i}.${REGION}.elb.amazonaws.com`,
      Scheme: 'internet-facing' as const,
    })),
  };
});
elb.on(DescribeTagsCommand).callsFake(async () => {
  count('elasticloadbalancing:DescribeTags');
  return { TagDescriptions: [] };
});
// Private CA's client has the SDK's shape, so aws-sdk-client-mock answers for it too (no call leaves the machine).
const pca = mockClient(PrivateCaClient as never);
pca.on(ListCertificateAuthoritiesCommand as never).callsFake(async () => {
  count('acm-pca:ListCertificateAuthorities');
  return {
    CertificateAuthorities: Array.from({ length: PRIVATE_CAS }, (_, i) => ({
      Arn: `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f1e2d3c-aaaa-bbbb-cccc-00000000000${i}`,
      Status: 'ACTIVE',
    })),
  };
});
pca.on(ListTagsCommand as never).callsFake(async () => {
  count('acm-pca:ListTags');
  return { Tags: [{ Key: 'owner', Value: 'pki' }] };
});
elb.on(DescribeTrustStoresCommand).callsFake(async () => {
  count('elasticloadbalancing:DescribeTrustStores');
  return {
    TrustStores: Array.from({ length: TRUST_STORES }, (_, i) => ({
      TrustStoreArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:truststore/ts${i}/0123456789abcdef`,
      Status: 'ACTIVE' as const,
    })),
  };
});
elb.on(DescribeListenersCommand).callsFake(async (input) => {
  count('elasticloadbalancing:DescribeListeners');
  return {
    Listeners: [443, 8443].map((Port) => ({
      ListenerArn: `${input.LoadBalancerArn}/l${Port}`,
      Protocol: 'HTTPS' as const,
      Port,
      Certificates: [{ CertificateArn: arns[Port % 7] }],
    })),
  };
});
const domains = Array.from({ length: 100 }, (_, i) => `api${i}.example.com`);
mockClient(APIGatewayClient)
  .on(RestDomains)
  .callsFake(async () => {
    count('apigateway:GET');
    return { items: domains.map((domainName) => ({ domainName, tags: { owner: 'api' } })) };
  })
  .on(GetClientCertificatesCommand)
  .callsFake(async () => {
    count('apigateway:GET /clientcertificates');
    return {
      items: Array.from({ length: CLIENT_CERTIFICATES }, (_, i) => ({ clientCertificateId: `cc${i}`, tags: {} })),
    };
  });
mockClient(ApiGatewayV2Client)
  .on(GetDomainNamesCommand)
  .callsFake(async () => {
    count('apigateway:GET');
    return { Items: domains.map((DomainName) => ({ DomainName })) };
  });
const appsync = mockClient(AppSyncClient);
appsync.on(ListDomainNamesCommand).callsFake(async (input) => {
  count('appsync:ListDomainNames');
  const start = Number(input.nextToken ?? 0);
  const next = start + 25;
  return {
    domainNameConfigs: Array.from({ length: 25 }, (_, i) => ({
      domainName: `graphql${start + i}.example.com`,
      domainNameArn: `arn:aws:appsync:${REGION}:${ACCOUNT}:domainnames/graphql${start + i}.example.com`,
    })),
    nextToken: next < 50 ? String(next) : undefined,
  };
});
appsync.on(AppSyncTags).callsFake(async () => {
  count('appsync:ListTagsForResource');
  return { tags: {} };
});
mockClient(SNSClient).on(PublishCommand).resolves({ MessageId: 'm' });

// DynamoDB Local, reporting the capacity every request consumes.
const ddb = await startDynamoDbLocal({ warn: () => {} });
const dynamo = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
const capacity = countConsumedCapacity(dynamo);
const names = { targets: 'targets', history: 'history', certificates: 'certificates' };
for (const input of createTableInputs(names)) await dynamo.send(new CreateTableCommand(input));
const targets = new TargetStore(documentClient(dynamo), names.targets);
const publisher = new SnsPublisher(new SNSClient({ region: REGION }), `arn:aws:sns:${REGION}:${ACCOUNT}:t`);

async function run(label: string) {
  calls.clear();
  Object.assign(capacity, { read: 0, write: 0, requests: 0 });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const summary = await runDiscovery(
    { targets, publisher },
    { regions: [REGION], homeAccount: ACCOUNT, sourceTag: 'certvigil', sleep: async () => {} },
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const apiCalls = [...calls.values()].reduce((a, b) => a + b, 0);
  // Tag reads run 8 at a time within a finder and four finders at once; list pages one by one.
  const tagCalls = [...calls.entries()]
    .filter(([k]) => /Tags|DescribeCertificate|DescribeIdentityProvider/.test(k))
    .reduce((a, [, n]) => a + n, 0);
  const sequentialCalls = Math.ceil((apiCalls - tagCalls) / 4 + tagCalls / 8);
  const durationS = (cpuMs + sequentialCalls * API_LATENCY_MS) / 1000;
  console.log(
    `\n${label}: ${summary.found} found, ${summary.enrolled} enrolled, ${summary.alreadyWatched} already watched`,
  );
  console.log(`  AWS API calls: ${apiCalls} (${[...calls.entries()].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  console.log(
    `  DynamoDB: ${capacity.requests} requests, ${capacity.read.toFixed(1)} read units, ${capacity.write.toFixed(1)} write units`,
  );
  console.log(
    `  in-process: ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(
    `  Lambda estimate: ${durationS.toFixed(1)} s at ${MEMORY_GB * 1024} MB (${sequentialCalls} sequential calls × ${API_LATENCY_MS} ms + CPU)`,
  );
  const secretsCalls = calls.get('secretsmanager:ListSecrets') ?? 0;
  return {
    lambda: durationS * MEMORY_GB * PRICE.lambdaGbSecond + PRICE.lambdaRequest,
    dynamo: capacity.read * PRICE.readUnit + capacity.write * PRICE.writeUnit,
    secrets: secretsCalls * PRICE.secretsApiCall,
  };
}

console.log(
  `discovery of ${CERTS} ACM certificates, 500 endpoints, 10 IAM SAML providers, 40 Cognito user pools, 5 IoT CAs, ${DB_INSTANCES} RDS instances, ${CLIENT_CERTIFICATES} API Gateway client certificates, ${TRUST_STORES} ELB trust stores, ${PRIVATE_CAS} private CAs and ${DEVICES} IoT device certificates (the oldest 1,000 read) in one region (node ${process.version})`,
);
const first = await run('first run (enrols everything)');
const daily = await run('daily run (nothing changed)');
const perDay = daily.lambda + daily.dynamo + daily.secrets;
const monthly = perDay * 30 + PRICE.metricMonth + PRICE.alarmMonth;
console.log(
  `\nfirst run: $${(first.lambda + first.dynamo + first.secrets).toFixed(5)}; daily run: $${perDay.toFixed(5)} (Lambda $${daily.lambda.toFixed(5)}, DynamoDB $${daily.dynamo.toFixed(5)}, Secrets Manager $${daily.secrets.toFixed(6)})`,
);
console.log(
  `monthly (30 daily runs + 1 custom metric $${PRICE.metricMonth} + 1 alarm $${PRICE.alarmMonth}; list APIs of ACM, IAM, SSM, CloudFront, ELB, API Gateway, AppSync, Cognito user pools, IoT, RDS and Private CA are free): $${monthly.toFixed(2)}`,
);
dynamo.destroy();
await ddb.stop();
