import { expect } from 'chai';
import { READ_MODEL_PROJECTION } from '../../src/application/read-models/projection.js';
import { startTestService } from '../support/test-service.js';

describe('CLI projection name', () => {
  it('is the name the service checkpoints its read models under (else verify and import would miss them)', async () => {
    const svc = await startTestService();
    try {
      expect((await svc.http('GET', '/api/chats/', { username: 'named' })).status).to.equal(200);
      const head = await svc.service.store.headPosition();
      expect(head).to.not.equal(undefined);
      expect(await svc.service.readSide.current.checkpoint(READ_MODEL_PROJECTION)).to.deep.equal(head);
    } finally {
      await svc.stop();
    }
  });
});
