import { describe } from 'vitest';
import { serviceAvailable } from '../../helpers/services.js';
import { hubContract } from './contract.js';
import { natsFactory } from './factories.js';

const up = await serviceAvailable('nats');
describe.skipIf(!up)('hub on NATS JetStream', () => {
  hubContract(natsFactory('NATS JetStream'));
});
