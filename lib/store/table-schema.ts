// The key schema of certvigil's tables: one definition, used by the CDK stack, local mode and tests.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Targets and their latest state: one item per target, keyed by target id. */
export const TARGETS_TABLE = {
  partitionKey: { name: 'id', type: 'S' },
  /**
   * Sparse index of the targets due sooner than a full round comes by (those in trouble): only
   * they carry `dueSoon`, so the frequent round reads them alone, by due time.
   */
  dueSoonIndex: {
    indexName: 'due-soon',
    partitionKey: { name: 'dueSoon', type: 'S' },
    sortKey: { name: 'nextCheckAt', type: 'N' },
  },
  /**
   * Every target, partitioned by its list status (list-keys.ts) and ordered by expiry then id:
   * the pages people read (soonest expiry first, a status, the open events) come from here, with
   * the attributes their filters need projected. CloudFormation adds one index to a table per
   * deployment: this is the only one issue 30 adds.
   */
  listIndex: {
    indexName: 'lists',
    partitionKey: { name: 'listStatus', type: 'S' },
    sortKey: { name: 'listExpiry', type: 'S' },
    nonKeyAttributes: ['owner', 'kind', 'tags', 'enabled', 'openSeverity'],
  },
} as const;

/** The value `dueSoon` carries while set (one partition: a small share of the fleet). */
export const DUE_SOON = 'due';

/** One item per check, kept for the history TTL, newest last within a target. */
export const HISTORY_TABLE = {
  partitionKey: { name: 'target', type: 'S' },
  sortKey: { name: 'checkedAt', type: 'S' },
  /** Epoch seconds after which DynamoDB deletes the item. */
  timeToLiveAttribute: 'expiresAt',
} as const;

/** Every certificate seen, keyed by fingerprint, with the locations that serve it now. */
export const CERTIFICATES_TABLE = {
  partitionKey: { name: 'fingerprint256', type: 'S' },
  /**
   * Every certificate (CT discovery's items stay out: they carry no `certList`), partitioned by
   * whether a location serves it now (`served`, `gone`) and ordered by expiry then fingerprint
   * (certificate-lists.ts). Whole items: a page needs all of each, and certificates change seldom.
   */
  listIndex: {
    indexName: 'certificate-lists',
    partitionKey: { name: 'certList', type: 'S' },
    sortKey: { name: 'certExpiry', type: 'S' },
  },
} as const;

/**
 * Counters kept on write (summary-store.ts): partition `status`, `kind`, `owner`, `events` or
 * `day`, sort key the value counted (`2027-01-05 warning` for a day), `n` the count; and the last
 * recount's record under `recount`.
 */
export const SUMMARY_TABLE = {
  partitionKey: { name: 'counter', type: 'S' },
  sortKey: { name: 'key', type: 'S' },
} as const;

/**
 * What people set up beside the targets: partition the kind of entry (`owner`, `address`:
 * directory-store.ts; `maintenance`: maintenance-store.ts), sort key its name. Small: one item
 * per owner, routed email address and maintenance window.
 */
export const DIRECTORY_TABLE = {
  partitionKey: { name: 'kind', type: 'S' },
  sortKey: { name: 'name', type: 'S' },
  /** Epoch seconds after which DynamoDB deletes the item (ended maintenance windows). */
  timeToLiveAttribute: 'expiresAt',
} as const;

export interface TableNames {
  targets: string;
  history: string;
  certificates: string;
  /** Absent: nothing is counted (the summary route answers that it is not kept). */
  summary?: string | undefined;
  /** Absent: no owner directory (its routes answer 501). */
  directory?: string | undefined;
}

/** An on-demand table with a string partition and sort key. */
function keyedTable(
  name: string,
  schema: { partitionKey: { name: string }; sortKey: { name: string } },
): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: schema.partitionKey.name, AttributeType: 'S' },
      { AttributeName: schema.sortKey.name, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: schema.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: schema.sortKey.name, KeyType: 'RANGE' },
    ],
  };
}

/** CreateTable inputs (on-demand) for DynamoDB Local and tests; the stack builds the same keys. */
export function createTableInputs(names: TableNames): CreateTableCommandInput[] {
  return [
    {
      TableName: names.targets,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TARGETS_TABLE.partitionKey.name, AttributeType: TARGETS_TABLE.partitionKey.type },
        {
          AttributeName: TARGETS_TABLE.dueSoonIndex.partitionKey.name,
          AttributeType: TARGETS_TABLE.dueSoonIndex.partitionKey.type,
        },
        {
          AttributeName: TARGETS_TABLE.dueSoonIndex.sortKey.name,
          AttributeType: TARGETS_TABLE.dueSoonIndex.sortKey.type,
        },
        {
          AttributeName: TARGETS_TABLE.listIndex.partitionKey.name,
          AttributeType: TARGETS_TABLE.listIndex.partitionKey.type,
        },
        { AttributeName: TARGETS_TABLE.listIndex.sortKey.name, AttributeType: TARGETS_TABLE.listIndex.sortKey.type },
      ],
      KeySchema: [{ AttributeName: TARGETS_TABLE.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: TARGETS_TABLE.dueSoonIndex.indexName,
          KeySchema: [
            { AttributeName: TARGETS_TABLE.dueSoonIndex.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: TARGETS_TABLE.dueSoonIndex.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: TARGETS_TABLE.listIndex.indexName,
          KeySchema: [
            { AttributeName: TARGETS_TABLE.listIndex.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: TARGETS_TABLE.listIndex.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TARGETS_TABLE.listIndex.nonKeyAttributes] },
        },
      ],
    },
    {
      TableName: names.history,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: HISTORY_TABLE.partitionKey.name, AttributeType: HISTORY_TABLE.partitionKey.type },
        { AttributeName: HISTORY_TABLE.sortKey.name, AttributeType: HISTORY_TABLE.sortKey.type },
      ],
      KeySchema: [
        { AttributeName: HISTORY_TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: HISTORY_TABLE.sortKey.name, KeyType: 'RANGE' },
      ],
    },
    {
      TableName: names.certificates,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: CERTIFICATES_TABLE.partitionKey.name, AttributeType: CERTIFICATES_TABLE.partitionKey.type },
        {
          AttributeName: CERTIFICATES_TABLE.listIndex.partitionKey.name,
          AttributeType: CERTIFICATES_TABLE.listIndex.partitionKey.type,
        },
        {
          AttributeName: CERTIFICATES_TABLE.listIndex.sortKey.name,
          AttributeType: CERTIFICATES_TABLE.listIndex.sortKey.type,
        },
      ],
      KeySchema: [{ AttributeName: CERTIFICATES_TABLE.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: CERTIFICATES_TABLE.listIndex.indexName,
          KeySchema: [
            { AttributeName: CERTIFICATES_TABLE.listIndex.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: CERTIFICATES_TABLE.listIndex.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    ...(names.summary ? [keyedTable(names.summary, SUMMARY_TABLE)] : []),
    ...(names.directory ? [keyedTable(names.directory, DIRECTORY_TABLE)] : []),
  ];
}
