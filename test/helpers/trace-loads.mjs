// `node --import ./test/helpers/trace-loads.mjs …`: appends the URL of every
// module the process resolves to the file named by TUNNELWATCH_TRACE_LOADS.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.TUNNELWATCH_TRACE_LOADS, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
