import { hubContract } from './contract.js';
import { embeddedFactory, httpFactory } from './factories.js';

hubContract(embeddedFactory('embedded (fsync per batch)', { durability: { mode: 'batch' } }));
hubContract(
  embeddedFactory('embedded (fsync every 50 ms)', { durability: { mode: 'interval', intervalMs: 50 } }),
);
hubContract(
  httpFactory('HTTP client → routes → embedded', { durability: { mode: 'interval', intervalMs: 50 } }),
);
