#!/usr/bin/env -S node --import tsx
/**
 * The clean-up of a Docker or Podman group in a process of its own: what `crbench teardown`
 * runs after a crash, from the spec recorded with the group's runtime state.
 *   provision/daemons/clean-up.ts clean-up '<json spec>'
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanUpDockerd, type DockerdCleanUpSpec } from './dockerd.ts';
import { cleanUpLeftovers, type LeftoverSpec } from './leftovers.ts';

export type CleanUpSpec = ({ kind: 'leftovers' } & LeftoverSpec) | DockerdCleanUpSpec;

/**
 * argv that runs `spec`'s clean-up in a fresh process: what `crbench teardown` runs after a
 * crash. Node, tsx and this file by absolute path, so it works from any directory.
 */
export function cleanUpCommand(spec: CleanUpSpec): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, fileURLToPath(import.meta.url), 'clean-up', JSON.stringify(spec)];
}

export async function cleanUp(spec: CleanUpSpec): Promise<string[]> {
  return spec.kind === 'dockerd' ? cleanUpDockerd(spec) : cleanUpLeftovers(spec);
}

async function main(argv: string[]): Promise<void> {
  const [command, json] = argv;
  if (command === 'clean-up' && json !== undefined) {
    const problems = await cleanUp(JSON.parse(json) as CleanUpSpec);
    for (const problem of problems) console.error(`clean-up: ${problem}`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } else {
    console.log("usage: provision/daemons/dockerd.ts clean-up '<json spec>'");
    process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
