import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lib/env-names.ts';
import { CertvigilFunction } from './certvigil-function.ts';

export interface ExportsProps {
  targets: TableV2;
  /** The certificate inventory: the report by certificate pages its lists index. */
  certificates: TableV2;
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
}

/** Days an export stays in the bucket before S3 deletes it. */
export const EXPORT_RETENTION_DAYS = 1;

/**
 * Exports of the whole inventory (issue 30): a private bucket, encrypted, TLS only, whose objects
 * expire after a day, and the function that writes the report (by target or by certificate) there a page at a time
 * (started by the admin API; the download is a presigned link the admin API issues).
 */
export class Exports extends Construct {
  readonly bucket: Bucket;
  readonly fn: CertvigilFunction;

  constructor(scope: Construct, id: string, props: ExportsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        { expiration: Duration.days(EXPORT_RETENTION_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Exports are copies that expire in a day: nothing to keep when the stack goes (emptied first
      // by hand: no custom resource to delete objects).
      removalPolicy: props.removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.fn = new CertvigilFunction(this, 'Export', {
      name: 'export',
      description: 'certvigil: writes the whole targets report to the export bucket, a page at a time',
      // Holds a page (500 rows) and two 5 MiB upload parts.
      memorySize: 512,
      // A million targets at about 20 ms per page of 500: well within.
      timeout: Duration.minutes(15),
      environment: {
        [ENV.targetsTable]: props.targets.tableName,
        [ENV.certificatesTable]: props.certificates.tableName,
        [ENV.exportBucket]: this.bucket.bucketName,
      },
      logRetention: props.logRetention,
    });
    // Pages of the lists index, then the page's items by key.
    props.targets.grant(this.fn, 'dynamodb:Query', 'dynamodb:BatchGetItem');
    // The report by certificate: pages of the certificate lists index (whole items).
    props.certificates.grant(this.fn, 'dynamodb:Query');
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects('exports/*')],
      }),
    );
    // An asynchronous run that fails is retried once by Lambda; its marker says why meanwhile.
    this.fn.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.hours(1) });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Exports are copies of the inventory that expire in a day; every one is started through the admin API (IAM-authenticated, logged) and downloaded through a presigned link it issues.',
    });
    this.acknowledgeObjects(this.fn);
  }

  /** Export objects are named by run (exports/<uuid>.csv): the grant is the exports/ prefix. */
  private acknowledgeObjects(fn: CertvigilFunction): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    Validations.of(fn.role as iam.IRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
      reason:
        'Each export is a new object named by its run id under exports/; the grant is that prefix of the export bucket only.',
    });
  }

  /** The admin API starts exports and presigns their download (GetObject; HeadObject for the markers). */
  grantStart(admin: CertvigilFunction): Record<string, string> {
    admin.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
    admin.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('exports/*')] }),
    );
    // Without ListBucket, S3 answers a marker not written yet with 403, not 404 (the bucket holds exports only).
    admin.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    this.acknowledgeObjects(admin);
    return { [ENV.exportBucket]: this.bucket.bucketName, [ENV.exportFunctionName]: this.fn.functionName };
  }
}
