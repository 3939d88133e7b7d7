import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { main } from '../../pipeline/cli.ts';
import { matrixReference } from '../../scripts/matrix-reference.ts';

const readme = readFileSync('README.md', 'utf8');

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
}

describe('the README', () => {
  it('shows the two commands first: make report and make test', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /^make report\b/m);
    assert.match(firstBlock, /^make test\b/m);
  });

  it('names only make targets the Makefile defines', () => {
    const targets = new Set([...readFileSync('Makefile', 'utf8').matchAll(/^([a-z][\w-]*):/gm)].map((match) => match[1]));
    const named = [...readme.matchAll(/`make ([a-z][\w-]*)/g)].map((match) => match[1] as string);
    assert.ok(named.length >= 5);
    for (const target of named) assert.ok(targets.has(target), `make ${target}`);
  });

  it('names only crbench commands the CLI has, each with its --help', async () => {
    const codeBlocks = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]).join('\n');
    const named = [...new Set([...codeBlocks.matchAll(/^crbench ([a-z]+)/gm)].map((match) => match[1] as string))].filter((word) => word !== 'command');
    assert.deepEqual(named.sort(), ['compare', 'doctor', 'merge', 'plan', 'report', 'run', 'teardown', 'validate']);
    for (const command of named) assert.equal(await quietly(() => main([command, '--help'])), 0, command);
  });

  it('points only at files that exist', () => {
    const paths = [...readme.matchAll(/`((?:pipeline|provision|experiments|scripts|bench|test)\/[\w./-]+\.(?:ts|yaml|json|sh))`/g)].map((match) => match[1] as string);
    assert.ok(paths.length > 10);
    for (const file of paths) assert.ok(existsSync(file), file);
  });

  it('holds the matrix reference generated from the schema (node --import tsx scripts/matrix-reference.ts --write)', () => {
    assert.ok(readme.includes(matrixReference()), 'README.md is out of date with experiments/matrix.schema.json');
  });
});
