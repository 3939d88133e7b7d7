import { strict as assert } from 'node:assert';
import { splitRuntime } from '../pipeline/types.ts';

describe('splitRuntime()', () => {
  it('gives a runtime without a plus as an engine with no OCI runtime behind it', () => {
    assert.deepEqual(splitRuntime('runc'), { engine: 'runc', oci: null });
    assert.deepEqual(splitRuntime('docker-cli'), { engine: 'docker-cli', oci: null });
  });

  it('splits engine+oci at the plus: docker+crun is Docker running crun', () => {
    assert.deepEqual(splitRuntime('docker+crun'), { engine: 'docker', oci: 'crun' });
    assert.deepEqual(splitRuntime('docker-cli+runsc'), { engine: 'docker-cli', oci: 'runsc' });
  });

  it('splits at the first plus only, leaving the rest to the OCI runtime\'s name (which feasibility then rejects)', () => {
    assert.deepEqual(splitRuntime('podman+crun+x'), { engine: 'podman', oci: 'crun+x' });
  });
});
