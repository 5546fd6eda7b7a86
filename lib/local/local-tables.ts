// Local mode's tables: created from the schema the stack uses; a data directory kept from an earlier
// release gets the indexes this release defines (the daily recount, run at start, lists its targets).
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInputs, type TableNames } from '../store/table-schema.ts';

export async function ensureTables(
  dynamo: DynamoDBClient,
  names: TableNames,
  print: (text: string) => void,
): Promise<void> {
  for (const input of createTableInputs(names)) {
    try {
      await dynamo.send(new CreateTableCommand(input));
      continue;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
    await addMissingIndexes(dynamo, input, print);
  }
}

/** A table kept from an earlier run (--data): the indexes it lacks, added one at a time. */
async function addMissingIndexes(
  dynamo: DynamoDBClient,
  input: CreateTableCommandInput,
  print: (text: string) => void,
): Promise<void> {
  const wanted = input.GlobalSecondaryIndexes ?? [];
  if (!wanted.length) return;
  const described = await dynamo.send(new DescribeTableCommand({ TableName: input.TableName }));
  const have = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of wanted) {
    if (have.has(index.IndexName)) continue;
    const keys = new Set(index.KeySchema?.map((k) => k.AttributeName));
    await dynamo.send(
      new UpdateTableCommand({
        TableName: input.TableName,
        AttributeDefinitions: input.AttributeDefinitions?.filter((a) => keys.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } },
        ],
      }),
    );
    await untilActive(dynamo, input.TableName as string, index.IndexName as string);
    print(`added the ${index.IndexName} index to ${input.TableName} (kept from an earlier release)\n`);
  }
}

/** Waits for a new index to be usable (a query on one still being created fails). */
async function untilActive(dynamo: DynamoDBClient, table: string, index: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    const status = described.Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index)?.IndexStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`the ${index} index of ${table} is still ${status ?? 'missing'} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
