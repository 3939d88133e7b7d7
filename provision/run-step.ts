import { ProcessOutput, type ProcessPromise } from 'zx';
import { CrbenchError } from '../pipeline/errors.ts';

/**
 * Awaits a zx command and turns its failure into an error that says which provisioning
 * step failed and what the tool printed, instead of zx's stack-laden message.
 */
export async function runStep(what: string, command: ProcessPromise): Promise<string> {
  try {
    return (await command).stdout;
  } catch (error) {
    if (error instanceof ProcessOutput) {
      const said = (error.stderr || error.stdout).trim().split('\n').slice(-3).join(' | ');
      throw new CrbenchError('PROVISION_FAILED', `${what} failed (exit ${error.exitCode}): ${said}`,
        { cause: error });
    }
    throw error;
  }
}
