import { type EmbeddedHubOptions, type Hub, openEmbeddedHub } from '../../../src/hub/index.js';
import { tempDir } from '../../helpers/tmp.js';
import type { HubFactory, HubHandle } from './contract.js';
import { serveHub } from './http-server.js';

/** An embedded hub in a fresh temp dir. */
export function embeddedFactory(name: string, extra: Partial<EmbeddedHubOptions> = {}): HubFactory {
  return {
    name,
    contiguous: true,
    async open(): Promise<HubHandle> {
      const tmp = tempDir('lakecast-hub-');
      let hub: Hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
      return {
        get hub() {
          return hub;
        },
        async reopen() {
          await hub.close();
          hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
          return hub;
        },
        async cleanup() {
          await hub.close();
          tmp.cleanup();
        },
      };
    },
  };
}

/** The HTTP client in front of an embedded hub served by the hub routes. */
export function httpFactory(name: string, extra: Partial<EmbeddedHubOptions> = {}): HubFactory {
  return {
    name,
    contiguous: true,
    async open(): Promise<HubHandle> {
      const tmp = tempDir('lakecast-hub-http-');
      let inner = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
      let served = await serveHub(inner);
      return {
        get hub() {
          return served.client;
        },
        async reopen() {
          await served.app.close();
          await inner.close();
          inner = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
          served = await serveHub(inner);
          return served.client;
        },
        async cleanup() {
          await served.app.close();
          await inner.close();
          tmp.cleanup();
        },
      };
    },
  };
}
