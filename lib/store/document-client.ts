import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** The document client every repository uses: plain JS values, optional fields left out. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/** True for DynamoDB's "the condition was not met" (another writer got there first). */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** A write whose condition may fail: true when it was written, false when the condition did not hold. */
export async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** An UpdateItem whose condition may fail: true when it was written, false when the condition did not hold. */
export function conditionalUpdate(
  doc: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof UpdateCommand>[0],
): Promise<boolean> {
  return conditionalWrite(() => doc.send(new UpdateCommand(input)));
}

/**
 * A ProjectionExpression of attribute paths (nested ones such as `state.result.notAfter` allowed),
 * every part a name placeholder added to `names`.
 */
export function projectionOf(paths: readonly string[], names: Record<string, string>): string {
  return paths
    .map((path) =>
      path
        .split('.')
        .map((part) => {
          names[`#${part}`] = part;
          return `#${part}`;
        })
        .join('.'),
    )
    .join(', ');
}
