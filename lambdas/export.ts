// Lambda entry of the export function: writes the whole report (by target or by certificate) to
// the export bucket, started asynchronously by the admin API (POST /exports) with {id}.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { type ExportRequest, parsePublicId, publicId, runExport } from '../lib/admin/exports.ts';
import { exportConfig } from '../lib/config.ts';
import { CertificateStore } from '../lib/store/certificate-store.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { TargetStore } from '../lib/store/target-store.ts';

const logger = new Logger({ serviceName: 'certvigil-export' });
const config = exportConfig();
const doc = documentClient(new DynamoDBClient({}));
const targets = new TargetStore(doc, config.targetsTable);
const certificates = config.certificatesTable ? new CertificateStore(doc, config.certificatesTable) : undefined;
const s3 = new S3Client({});

export async function handler(event: unknown, context?: Context) {
  if (context) logger.addContext(context);
  // Only what the admin API sends: one export id as it issues them.
  const request: ExportRequest | undefined = parsePublicId(String((event as { id?: unknown })?.id ?? ''));
  if (!request) {
    logger.warn('export invoked without an export id; nothing done');
    return { exported: false };
  }
  const started = Date.now();
  const result = await runExport({ targets, certificates, s3, bucket: config.exportBucket }, request);
  logger.info('export written', { id: publicId(request), ...result, ms: Date.now() - started });
  return { exported: true, ...result };
}
