import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CERTIFICATES_TABLE,
  DIRECTORY_TABLE,
  HISTORY_TABLE,
  SUMMARY_TABLE,
  TARGETS_TABLE,
} from '../../lib/store/table-schema.ts';

export interface StoreProps {
  /** RETAIN (the default) keeps the tables when the stack goes, with deletion protection on. */
  removalPolicy: RemovalPolicy;
}

/**
 * The targets, history, certificates, summary and directory tables: on demand, point-in-time recovery, encrypted with the
 * AWS managed key, kept on stack deletion by default. Keys come from lib/store/table-schema.ts,
 * the definition local mode and the tests also use.
 */
export class Store extends Construct {
  readonly targets: TableV2;
  readonly history: TableV2;
  /** Every certificate seen, by fingerprint, with the locations that serve it (rollouts). */
  readonly certificates: TableV2;
  /** Counts kept on write (lib/store/summary-store.ts): small, read by the dashboard's header. */
  readonly summary: TableV2;
  /** The owner directory (lib/store/directory-store.ts): one item per owner and per routed address. */
  readonly directory: TableV2;

  constructor(scope: Construct, id: string, props: StoreProps) {
    super(scope, id);
    const retain = props.removalPolicy === RemovalPolicy.RETAIN;
    const common = {
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: retain,
      removalPolicy: props.removalPolicy,
    };
    this.targets = new TableV2(this, 'Targets', {
      ...common,
      partitionKey: { name: TARGETS_TABLE.partitionKey.name, type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: TARGETS_TABLE.dueSoonIndex.indexName,
          partitionKey: { name: TARGETS_TABLE.dueSoonIndex.partitionKey.name, type: AttributeType.STRING },
          sortKey: { name: TARGETS_TABLE.dueSoonIndex.sortKey.name, type: AttributeType.NUMBER },
        },
        {
          indexName: TARGETS_TABLE.listIndex.indexName,
          partitionKey: { name: TARGETS_TABLE.listIndex.partitionKey.name, type: AttributeType.STRING },
          sortKey: { name: TARGETS_TABLE.listIndex.sortKey.name, type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [...TARGETS_TABLE.listIndex.nonKeyAttributes],
        },
      ],
    });
    this.history = new TableV2(this, 'History', {
      ...common,
      partitionKey: { name: HISTORY_TABLE.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: HISTORY_TABLE.sortKey.name, type: AttributeType.STRING },
      timeToLiveAttribute: HISTORY_TABLE.timeToLiveAttribute,
    });
    this.certificates = new TableV2(this, 'Certificates', {
      ...common,
      partitionKey: { name: CERTIFICATES_TABLE.partitionKey.name, type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: CERTIFICATES_TABLE.listIndex.indexName,
          partitionKey: { name: CERTIFICATES_TABLE.listIndex.partitionKey.name, type: AttributeType.STRING },
          sortKey: { name: CERTIFICATES_TABLE.listIndex.sortKey.name, type: AttributeType.STRING },
        },
      ],
    });
    this.summary = new TableV2(this, 'Summary', {
      ...common,
      partitionKey: { name: SUMMARY_TABLE.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: SUMMARY_TABLE.sortKey.name, type: AttributeType.STRING },
    });
    this.directory = new TableV2(this, 'Directory', {
      ...common,
      partitionKey: { name: DIRECTORY_TABLE.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: DIRECTORY_TABLE.sortKey.name, type: AttributeType.STRING },
      timeToLiveAttribute: DIRECTORY_TABLE.timeToLiveAttribute,
    });
  }
}
