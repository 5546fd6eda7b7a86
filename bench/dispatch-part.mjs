// One dispatcher invocation, as Lambda would run it: loads the bundled handler, gives it a
// context with BUDGET_MS of remaining time, runs EVENT, prints the summary and peak RSS as JSON.
// Usage: node dispatch-part.mjs BUNDLE BUDGET_MS EVENT_JSON
import { createRequire } from 'node:module';

const [bundle, budgetText, eventJson] = process.argv.slice(2);
const { handler } = createRequire(import.meta.url)(bundle);
const deadline = Date.now() + Number(budgetText);
const context = {
  functionName: 'certvigil-dispatcher',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:certvigil-dispatcher',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const started = performance.now();
const summary = await handler(JSON.parse(eventJson), context);
process.stdout.write(
  `${JSON.stringify({ summary, seconds: (performance.now() - started) / 1000, peakRssKiB: process.resourceUsage().maxRSS })}\n`,
);
