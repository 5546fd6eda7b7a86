// The inventory exported to S3 (deployed): POST /exports starts a run of the export function, which
// reads a view of the report (by target or by certificate) a page at a time from its lists index
// and streams it to the export
// bucket as CSV or JSON (a multipart upload: memory holds a part, not the inventory); GET
// /exports/{id} says whether it is running, failed or done, and when done gives a presigned link
// that expires in minutes. The bucket is private and forgets exports after a day (infra).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CERTIFICATE_LISTS, type CertificateCursor } from '../store/certificate-lists.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import { LIST_STATUSES } from '../store/list-keys.ts';
import type { TargetStore } from '../store/target-store.ts';
import { boundText } from '../text-bounds.ts';
import { certificateView } from './certificate-views.ts';
import {
  type CertificateRow,
  certificateRow,
  REPORT_FIELDS,
  type ReportRow,
  type ReportView,
  reportChunks,
  reportRow,
} from './report.ts';

export type ExportFormat = 'csv' | 'json';

/** How long a download link works (seconds). */
export const EXPORT_LINK_SECONDS = 15 * 60;

/** Targets read per page while exporting (the admin API's largest page). */
const EXPORT_PAGE = 500;

/** A multipart upload's part: the least S3 takes, so memory stays small. */
const PART_BYTES = 5 * 1024 * 1024;

export interface ExportStatus {
  /** The public id (`<uuid>.csv`). */
  id: string;
  status: 'running' | 'failed' | 'done';
  format: ExportFormat;
  /** Done: a presigned GET of the file, and until when it works. */
  url?: string | undefined;
  expiresAt?: string | undefined;
  bytes?: number | undefined;
  rows?: number | undefined;
  /** Failed: why (bounded). */
  detail?: string | undefined;
}

/** What the export function is invoked with. */
export interface ExportRequest {
  id: string;
  format: ExportFormat;
  /** Absent: by target. */
  view?: ReportView | undefined;
}

const EXTENSION: Record<ExportFormat, string> = { csv: 'csv', json: 'json' };

export function exportKey(request: ExportRequest): string {
  return `exports/${publicId(request)}`;
}

/** Markers written when a run ends: the status reads them (the file itself appears before its count is known). */
function doneKey(request: ExportRequest): string {
  return `exports/${request.id}.done.json`;
}

function failureKey(request: ExportRequest): string {
  return `exports/${request.id}.failed.json`;
}

/**
 * The id GET /exports/{id} takes: the run's UUID, the view when by certificate, and the format
 * (`<uuid>.csv`, `<uuid>.certificates.json`).
 */
export function publicId(request: ExportRequest): string {
  return `${request.id}${request.view === 'certificates' ? '.certificates' : ''}.${EXTENSION[request.format]}`;
}

/** The run an id names, if it is one this API issues (anything else is never looked up). */
export function parsePublicId(text: string): ExportRequest | undefined {
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.certificates)?\.(csv|json)$/.exec(
    text,
  );
  if (!match) return undefined;
  return {
    id: match[1] as string,
    format: match[3] as ExportFormat,
    ...(match[2] ? { view: 'certificates' as const } : {}),
  };
}

/** Starts the export function asynchronously (an Event invocation: it runs up to 15 minutes). */
export function invokeExport(lambda: LambdaClient, functionName: string): (request: ExportRequest) => Promise<void> {
  return async (request) => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ id: publicId(request) })),
      }),
    );
  };
}

/** The admin API's side: start an export, and say how one is doing. */
export class ExportService {
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly invoke: (request: ExportRequest) => Promise<void>;

  constructor(options: { s3: S3Client; bucket: string; invoke: (request: ExportRequest) => Promise<void> }) {
    this.s3 = options.s3;
    this.bucket = options.bucket;
    this.invoke = options.invoke;
  }

  async start(format: ExportFormat, view: ReportView = 'targets'): Promise<ExportRequest> {
    const request: ExportRequest = { id: randomUUID(), format, ...(view === 'certificates' ? { view } : {}) };
    await this.invoke(request);
    return request;
  }

  async status(request: ExportRequest, now: Date): Promise<ExportStatus> {
    const done = await this.head(doneKey(request));
    if (done) {
      const url = await getSignedUrl(
        this.s3,
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: exportKey(request),
          ResponseContentDisposition: `attachment; filename="certvigil-${request.view === 'certificates' ? 'certificates' : 'report'}.${EXTENSION[request.format]}"`,
        }),
        { expiresIn: EXPORT_LINK_SECONDS },
      );
      return {
        id: publicId(request),
        format: request.format,
        status: 'done',
        url,
        expiresAt: new Date(now.getTime() + EXPORT_LINK_SECONDS * 1000).toISOString(),
        bytes: Number(done.bytes ?? 0),
        rows: Number(done.rows ?? 0),
      };
    }
    const failed = await this.head(failureKey(request));
    const id = publicId(request);
    if (failed) return { id, format: request.format, status: 'failed', detail: failed.detail ?? 'the export failed' };
    return { id, format: request.format, status: 'running' };
  }

  /** A marker's metadata; undefined while there is none. */
  private async head(key: string): Promise<Record<string, string> | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.Metadata ?? {};
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

/** The targets report, a page at a time, soonest expiry first, read straight from the lists index. */
async function* reportPagesOf(targets: TargetStore): AsyncGenerator<ReportRow[]> {
  let after: string | undefined;
  do {
    const page = await targets.lists.page({ partitions: LIST_STATUSES, limit: EXPORT_PAGE, after });
    const items = await targets.lists.items(
      page.entries.map((e) => e.id),
      REPORT_FIELDS,
    );
    yield items.map(reportRow);
    after = page.after;
  } while (after !== undefined);
}

/**
 * The report by certificate, a page at a time: served ones soonest expiry first, then those served
 * nowhere any more, from the certificate lists index.
 */
async function* certificatePagesOf(
  certificates: CertificateStore,
  now: () => Date = () => new Date(),
): AsyncGenerator<CertificateRow[]> {
  let cursor: CertificateCursor | undefined;
  do {
    const page = await certificates.lists.page({ lists: CERTIFICATE_LISTS, limit: EXPORT_PAGE, cursor });
    const at = now();
    yield page.items.map((item) => certificateRow(certificateView(item, at)));
    cursor = page.next;
  } while (cursor !== undefined);
}

/**
 * The export function's run: the report streamed to S3 as it is read. On failure a small marker
 * object says why (the status reads it), and the error is thrown (the invocation is retried).
 */
export async function runExport(
  deps: { targets: TargetStore; certificates?: CertificateStore | undefined; s3: S3Client; bucket: string },
  request: ExportRequest,
): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  async function* body(): AsyncGenerator<Buffer> {
    const view = request.view ?? 'targets';
    const pages = view === 'certificates' ? certificatePagesOf(certificatesOf(deps)) : reportPagesOf(deps.targets);
    for await (const chunk of reportChunks(pages, request.format, view)) {
      rows += chunk.rows;
      const data = Buffer.from(chunk.text);
      bytes += data.length;
      yield data;
    }
  }
  try {
    const upload = new Upload({
      client: deps.s3,
      queueSize: 2,
      partSize: PART_BYTES,
      params: {
        Bucket: deps.bucket,
        Key: exportKey(request),
        Body: Readable.from(body()),
        ContentType: request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
      },
    });
    await upload.done();
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: doneKey(request),
        Body: '{}',
        Metadata: { rows: String(rows), bytes: String(bytes) },
      }),
    );
  } catch (error) {
    await deps.s3
      .send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: failureKey(request),
          Body: '{}',
          Metadata: { detail: boundText((error as Error).message ?? 'failed', 200).replace(/[^\x20-\x7e]/g, '?') },
        }),
      )
      .catch(() => undefined);
    throw error;
  }
  return { rows, bytes };
}

function certificatesOf(deps: { certificates?: CertificateStore | undefined }): CertificateStore {
  if (!deps.certificates) throw new Error('this export function has no certificates table (CERTIFICATES_TABLE)');
  return deps.certificates;
}
