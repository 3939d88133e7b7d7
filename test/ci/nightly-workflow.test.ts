import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const WORKFLOW = '.github/workflows/nightly.yml';
const text = readFileSync(WORKFLOW, 'utf8');
const workflow = parse(text) as { jobs: Record<string, { steps: { run?: string }[] }> };
const runLines = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ?? '').split('\n'))).filter(Boolean);

describe('the nightly workflow', () => {
  it('is a valid GitHub Actions workflow (action-validator, SchemaStore schema)', () => {
    assert.deepEqual(validateWorkflow(text).errors, []);
  });

  it('calls only make targets the Makefile defines', () => {
    const targets = new Set([...readFileSync('Makefile', 'utf8').matchAll(/^([a-z][\w-]*):/gm)].map((match) => match[1]));
    const called = runLines.flatMap((line) => [...line.matchAll(/\bmake\s+([a-z][\w-]*)/g)].map((match) => match[1]));
    assert.ok(called.length > 0);
    for (const target of called) assert.ok(targets.has(target), `make ${target} is not a target of the Makefile`);
  });

  it('calls only crbench commands the CLI has', async () => {
    const { main } = await import('../../pipeline/cli.ts');
    const called = runLines.flatMap((line) => [...line.matchAll(/crbench\.js\s+([a-z]+)/g)].map((match) => match[1] as string));
    assert.deepEqual([...new Set(called)].sort(), ['compare', 'doctor', 'merge', 'report', 'run', 'teardown']);
    const write = process.stdout.write.bind(process.stdout);
    try {
      process.stdout.write = () => true;
      for (const command of new Set(called)) assert.equal(await main([command, '--help']), 0, `crbench ${command} --help`);
    } finally {
      process.stdout.write = write;
    }
  });

  it('fans out over as many shards as it says, and merges them all', () => {
    const shards = (parse(text) as { jobs: { measure: { strategy: { matrix: { shard: number[] } } } }; env: { SHARDS: number } });
    assert.deepEqual(shards.jobs.measure.strategy.matrix.shard, Array.from({ length: shards.env.SHARDS }, (_value, index) => index + 1));
    assert.ok(runLines.some((line) => /crbench\.js merge results\/nightly results\/shards\/shard-\*/.test(line)));
  });
});
