// Counts the DynamoDB capacity a client consumes: every request asks for it
// (ReturnConsumedCapacity TOTAL, which DynamoDB Local honours) and adds it up by reads and writes.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface Consumed {
  read: number;
  write: number;
  requests: number;
}

export function countConsumedCapacity(client: DynamoDBClient): Consumed {
  const units: Consumed = { read: 0, write: 0, requests: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (
        result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
      ).ConsumedCapacity;
      const total = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      units.requests++;
      if (/Get|Scan|Query/.test(context.commandName ?? '')) units.read += total;
      else units.write += total;
      return result;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  return units;
}
