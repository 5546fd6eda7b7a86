// Starts one DynamoDB Local for the whole test run (in a private network namespace where the
// machine allows it) and stops it at the end. Tests reach it through inject('dynamoEndpoint').
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const ddb = await startDynamoDbLocal({ warn: (message) => console.warn(`[test setup] ${message}`) });
  project.provide('dynamoEndpoint', ddb.endpoint);
  return async () => {
    await ddb.stop();
  };
}
