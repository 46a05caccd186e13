import { expect } from 'chai';
import { READ_MODEL_PROJECTION as TOOLS } from '../../src/interfaces/cli/projection-name.js';
import { READ_MODEL_PROJECTION as SERVICE } from '../../src/interfaces/service.js';

describe('CLI projection name', () => {
  it('is the name the service checkpoints its read models under (else verify and import would miss them)', () => {
    expect(TOOLS).to.equal(SERVICE);
  });
});
