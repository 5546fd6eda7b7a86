import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { METRIC_NAMESPACE } from '../../lib/observability/metric-names.ts';

export interface CertvigilFunctionProps {
  /** The Lambda entry in lambdas/, e.g. `probe`. */
  name: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** 0 or absent: none reserved. */
  reservedConcurrentExecutions?: number;
}

const root = new URL('../..', import.meta.url).pathname;

/**
 * Modules the functions never load. Credential providers that only ever run outside Lambda (SSO,
 * profiles, web identity, container and instance metadata). The SDK loads them lazily, after the environment provider, and inside
 * Lambda the credentials are always in the environment, so they are never loaded; should they
 * be, the runtime's own copy of the SDK provides them. Everything else of the SDK is bundled
 * (but see EVENT_STREAMS below). test/integration/lambda-bundle.test.ts loads every function's
 * bundle, and runs the probe's, where none of these can be found.
 */
export const NOT_BUNDLED = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
  // PKCS#7 is read only for `file:` targets, which the functions refuse before loading a parser
  // (files are the CLI's and local mode's); bundled, this parser would add some 250 KB.
  '@peculiar/x509',
  'reflect-metadata',
];

/**
 * The SDK's event-stream support (15 KB). Its Lambda and S3 clients import it up front; the other
 * clients only for operations that stream events, which certvigil never calls. So the functions
 * without those two clients leave it out, and the others bundle it.
 */
const EVENT_STREAMS = '@smithy/core/event-streams';
const FUNCTIONS_WITH_EVENT_STREAM_CLIENTS: ReadonlySet<string> = new Set([
  'dispatcher',
  'admin',
  'account',
  'discovery',
  'export',
]);

/** The modules left out of function NAME's bundle. */
export function externalModulesOf(name: string): string[] {
  return FUNCTIONS_WITH_EVENT_STREAM_CLIENTS.has(name) ? [...NOT_BUNDLED] : [...NOT_BUNDLED, EVENT_STREAMS];
}

/** How every function is bundled; the benchmarks build the same bundles from these settings. */
export const LAMBDA_BUNDLING = {
  minify: true,
  target: 'node24',
  mainFields: ['module', 'main'],
} as const;

/**
 * Shared defaults of every certvigil function: Node.js 24 on arm64, bundled here with the local
 * esbuild (minified, source maps, the AWS SDK included but for credential providers Lambda never
 * uses), its own log group with a retention, and
 * its own role that may only write to that log group (no managed policy).
 */
export class CertvigilFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: CertvigilFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `certvigil ${props.name} function`,
    });
    super(scope, id, {
      entry: `${root}lambdas/${props.name}.ts`,
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: `${root}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      role,
      logGroup,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      },
      bundling: {
        ...LAMBDA_BUNDLING,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: externalModulesOf(props.name),
        sourceMap: true,
        format: OutputFormat.CJS,
        forceDockerBundling: false,
      },
    });
    logGroup.grantWrite(role);
  }

  /**
   * Acknowledges the KMS action wildcards that CDK's grants on the encrypted topic and failure
   * queue add to this function's role; call it where such a grant is made.
   */
  acknowledgeKmsGrants(): void {
    acknowledgeKmsGrants(this.role as IConstruct);
  }
}

export function acknowledgeKmsGrants(role: IConstruct): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason:
      'Added by CDK grants on the KMS-encrypted topic or failure queue: the data-key actions, on that one key only.',
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    reason: 'Added by the CDK grant on the KMS-encrypted failure queue: re-encryption under that one key only.',
  });
}
